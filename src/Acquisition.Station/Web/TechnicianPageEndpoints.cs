using System.Net;
using System.Security.Claims;
using Acquisition.Core.Domain;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Workflow.Cases;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>
/// The technician page and its JSON API. They answer only on the HTTPS listener; the control API answers only on the
/// control socket, so no privileged operation is reachable from the page's network listener.
/// </summary>
public static class TechnicianPageEndpoints
{
    public const string ApiPrefix = "/api/tech";
    private static readonly string[] Assets = ["index.html", "app.js", "app.css"];

    public static WebApplication MapTechnicianPage(this WebApplication app)
    {
        // TCP connections (the HTTPS listener) take this branch and never reach the control API's pipeline; the
        // control socket's requests never reach these endpoints.
        app.MapWhen(ctx => ctx.Connection.LocalIpAddress is not null, page =>
        {
            page.Use((ctx, next) =>
            {
                // The host's router may already have matched a control endpoint: forget it, match only page endpoints.
                ctx.SetEndpoint(null);
                ctx.Request.RouteValues.Clear();
                return next(ctx);
            });
            page.UseRouting();
            page.UseAuthentication();
            page.UseAuthorization();
            page.UseEndpoints(endpoints => MapEndpoints(endpoints));
        });
        return app;
    }

    private static void MapEndpoints(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Asset("index.html"));
        app.MapGet("/assets/{name}", (string name) => Assets.Contains(name) ? Asset(name) : Results.NotFound());
        var api = app.MapGroup(ApiPrefix);
        api.MapGet("/strings/{lang}", (string lang, WebStrings strings) => Results.Json(strings.For(lang)));
        api.MapPost("/signin", SignInAsync);
        api.MapPost("/signout", SignOutAsync);
        api.MapGet("/me", (ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true
            ? Results.Json(new { id = OperatorId(user), name = user.FindFirstValue(ClaimTypes.Name) })
            : Results.Unauthorized());
        var signedIn = api.MapGroup("").RequireAuthorization();
        signedIn.MapGet("/calibres", (TechnicianCaseAccess cases) =>
            Results.Json(cases.Calibres.Calibres.Select(c => new { c.Name, c.Aliases })));
        signedIn.MapGet("/case", async (TechnicianCaseAccess cases, CancellationToken ct) =>
            Results.Json(await cases.Store.GetAsync(ct).ConfigureAwait(false)));
        signedIn.MapPut("/case", PutCaseAsync);
        signedIn.MapGet("/status", StatusAsync);
        signedIn.MapPost("/capture", StartCaptureAsync);
        signedIn.MapPost("/abort", AbortAsync);
        signedIn.MapGet("/captures", async (CaptureResults results, TimeProvider time, CancellationToken ct) =>
            Results.Json(await results.ListDayAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), ct).ConfigureAwait(false)));
        signedIn.MapGet("/captures/{id}/regions/{region}/fused/{lighting}", async (string id, string region, string lighting, CaptureResults results, CancellationToken ct) =>
            Image(await results.FusedPngAsync(id, region, lighting, ct).ConfigureAwait(false)));
        signedIn.MapGet("/captures/{id}/regions/{region}/height", async (string id, string region, CaptureResults results, CancellationToken ct) =>
            Image(await results.HeightPngAsync(id, region, ct).ConfigureAwait(false)));
        signedIn.MapGet("/events", TechnicianEventStream.StreamAsync);
        signedIn.MapGet("/live", async (HttpContext ctx, LiveView live, IHostApplicationLifetime lifetime) =>
        {
            if (live.Camera is null)
            {
                return Results.NotFound();
            }
            try
            {
                // Ends with the browser or with the station, so an open page never holds up the shutdown.
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, lifetime.ApplicationStopping);
                await live.StreamAsync(ctx.Response, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The browser closed the stream.
            }
            return Results.Empty;
        });
    }

    /// <summary>A rendered package image: it never changes, so the browser may keep it.</summary>
    private static IResult Image(byte[]? png) => png is null ? Results.NotFound() : Results.Bytes(png, "image/png");

    private static IResult Asset(string name)
    {
        var stream = typeof(TechnicianPageEndpoints).Assembly.GetManifestResourceStream($"Acquisition.Station.Web.Assets.{name}");
        if (stream is null)
        {
            return Results.NotFound();
        }
        var type = Path.GetExtension(name) switch { ".js" => "text/javascript", ".css" => "text/css", _ => "text/html" };
        return Results.Stream(stream, type + "; charset=utf-8");
    }

    private static string OperatorId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "";

    private static string Lang(HttpContext ctx) => WebStrings.Normalise(ctx.Request.Query["lang"].ToString());

    private sealed record SignInRequest(string? Id, string? Pin);

    private static async Task<IResult> SignInAsync(HttpContext ctx, SignInRequest request, OperatorDirectory operators, SignInThrottle throttle,
        AuditLog audit, WebStrings strings, CancellationToken ct)
    {
        var remote = ctx.Connection.RemoteIpAddress?.ToString() ?? "";
        // What was typed is recorded bounded and printable: the audit log is not a place for arbitrary input.
        var typed = new string((request.Id ?? "").Trim().Where(c => !char.IsControl(c)).Take(32).ToArray());
        if (throttle.LockedUntil(typed) is { } locked)
        {
            // Refused without checking the PIN: while locked, a right guess must not be distinguishable from a wrong one.
            await audit.AppendAsync("web:" + typed, "web.signin.refused-locked", new { remote, lockedUntil = locked }, ct).ConfigureAwait(false);
            return Locked(ctx, strings, locked);
        }
        var account = await operators.VerifyAsync(request.Id ?? "", request.Pin ?? "", ct).ConfigureAwait(false);
        if (account is null)
        {
            await audit.AppendAsync("web:" + typed, "web.signin.failed", new { remote }, ct).ConfigureAwait(false);
            if (await throttle.FailedAsync(typed, ct).ConfigureAwait(false) is { } until)
            {
                await audit.AppendAsync("web:" + typed, "web.signin.locked", new { remote, lockedUntil = until }, ct).ConfigureAwait(false);
                return Locked(ctx, strings, until);
            }
            return Results.Json(new { error = strings.Format(Lang(ctx), "signin.failed") }, statusCode: StatusCodes.Status401Unauthorized);
        }
        throttle.Succeeded(typed);
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, account.Id), new Claim(ClaimTypes.Name, account.Name)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity)).ConfigureAwait(false);
        await audit.AppendAsync("web:" + account.Id, "web.signin", new { remote }, ct).ConfigureAwait(false);
        return Results.Json(new { id = account.Id, name = account.Name });
    }

    private static IResult Locked(HttpContext ctx, WebStrings strings, DateTimeOffset until) =>
        Results.Json(new { error = strings.Format(Lang(ctx), "signin.locked", until.UtcDateTime.ToString("HH:mm 'UTC'", System.Globalization.CultureInfo.InvariantCulture)), lockedUntil = until },
            statusCode: StatusCodes.Status429TooManyRequests);

    private static async Task<IResult> SignOutAsync(HttpContext ctx, AuditLog audit, CancellationToken ct)
    {
        if (ctx.User.Identity?.IsAuthenticated == true)
        {
            await audit.AppendAsync("web:" + OperatorId(ctx.User), "web.signout", null, ct).ConfigureAwait(false);
        }
        await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme).ConfigureAwait(false);
        return Results.NoContent();
    }

    private static async Task<IResult> PutCaseAsync(HttpContext ctx, CaseForm form, TechnicianCaseAccess cases, IOptions<WebOptions> options,
        TimeProvider time, WebStrings strings, CancellationToken ct)
    {
        var lang = Lang(ctx);
        var operatorId = OperatorId(ctx.User);
        var (valid, errors) = new CaseFormValidator(cases.Calibres, options.Value, time, strings).Validate(form, operatorId, lang);
        if (valid is null)
        {
            return Results.Json(new { errors }, statusCode: StatusCodes.Status400BadRequest);
        }
        try
        {
            // The operator is the signed-in one, never a typed field; the store audits under the same name.
            var stored = await cases.Store.SetAsync(valid, "web:" + operatorId, ct).ConfigureAwait(false);
            return Results.Json(stored);
        }
        catch (CaseValidationException ex)
        {
            return Results.Json(new { errors = new Dictionary<string, string> { ["form"] = strings.Format(lang, "err.case", string.Join("; ", ex.Problems)) } },
                statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static async Task<IResult> StatusAsync(IServiceProvider services, StationStateMachine state, ITechnicianCapture capture,
        CaptureProgressTracker tracker, IOptions<WebOptions> options, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // The door switch on the operator panel is the interlock the capture obeys; the same one the control API shows.
        var door = "unknown";
        try
        {
            if (services.GetService<Acquisition.Core.Hardware.IOperatorPanel>() is { } panel)
            {
                door = panel.DoorClosed ? "closed" : "open";
            }
        }
        catch (InvalidOperationException)
        {
            door = "unknown";
        }
        var calibrations = new List<object>();
        if (services.GetService<Acquisition.Workflow.Calibration.CalibrationStore>() is { } store)
        {
            foreach (var kind in Enum.GetValues<CalibrationKind>())
            {
                var latest = store.History(kind).LastOrDefault();
                if (latest is null)
                {
                    continue;
                }
                var status = latest.ValidUntil <= now ? "expired" : latest.ValidUntil - now <= options.Value.CalibrationWarning ? "expiring" : "valid";
                calibrations.Add(new { kind = kind.ToString(), validUntil = latest.ValidUntil, status });
            }
        }
        int? backlog = null;
        if (services.GetService<Acquisition.Uplink.Outbox>() is { } outbox)
        {
            var all = await outbox.ListAsync(ct).ConfigureAwait(false);
            backlog = all.Count(d => d.State is not Acquisition.Uplink.DeliveryState.Delivered and not Acquisition.Uplink.DeliveryState.Rejected);
        }
        return Results.Json(new
        {
            state = state.State.ToString(),
            door,
            calibrations,
            outboxBacklog = backlog,
            captureAvailable = capture.IsAvailable,
            liveView = services.GetService<Acquisition.Core.Hardware.ICamera>() is not null,
            progress = tracker.Current,
        });
    }

    private static async Task<IResult> StartCaptureAsync(HttpContext ctx, ITechnicianCapture capture, TechnicianCaseAccess cases, AuditLog audit, WebStrings strings, CancellationToken ct)
    {
        var lang = Lang(ctx);
        var operatorId = OperatorId(ctx.User);
        if (!capture.IsAvailable)
        {
            return Results.Json(new { error = strings.Format(lang, "capture.unavailable") }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        var current = await cases.Store.GetAsync(ct).ConfigureAwait(false);
        if (current is null)
        {
            return Results.Json(new { error = strings.Format(lang, "capture.needCase") }, statusCode: StatusCodes.Status409Conflict);
        }
        if (!string.Equals(current.OperatorId, operatorId, StringComparison.Ordinal))
        {
            // The capture records the signed-in operator: re-store the case under this operator first.
            current = await cases.Store.SetAsync(current with { OperatorId = operatorId }, "web:" + operatorId, ct).ConfigureAwait(false);
        }
        await audit.AppendAsync("web:" + operatorId, "web.capture.start", new { current.CaseNumber }, ct).ConfigureAwait(false);
        try
        {
            await capture.StartAsync(operatorId, ct).ConfigureAwait(false);
            return Results.Accepted();
        }
        catch (InvalidOperationException ex)
        {
            return Results.Json(new { error = ex.Message }, statusCode: (int)HttpStatusCode.Conflict);
        }
    }

    private static async Task<IResult> AbortAsync(HttpContext ctx, ITechnicianCapture capture, CaptureProgressTracker tracker, AuditLog audit, CancellationToken ct)
    {
        var operatorId = OperatorId(ctx.User);
        var captureId = tracker.Current.CaptureId;
        // The abort first, on no request's token: it is a safety action that a disconnecting browser or an audit log
        // that cannot be written (disk full) must not hold back. The capture's own record says it was aborted and by
        // whom; this entry adds the request.
        await capture.AbortAsync(operatorId, CancellationToken.None).ConfigureAwait(false);
        await audit.AppendAsync("web:" + operatorId, "web.capture.abort", new { captureId }, CancellationToken.None).ConfigureAwait(false);
        return Results.NoContent();
    }
}
