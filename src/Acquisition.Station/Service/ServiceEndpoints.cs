using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Core.Units;
using Acquisition.Station.Configuration;
using Acquisition.Station.ControlApi;
using Acquisition.Station.Hardware;
using Acquisition.Station.Hosting;
using Acquisition.Station.Service.Diagnostics;
using Acquisition.Uplink;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Cases;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Service;

/// <summary>
/// The service engineer's endpoints of the control API (docs/control-api.md): the full status, manual stage motion,
/// lights and the configuration in effect. They are mapped on the control API's pipeline, which answers only on the
/// Unix socket and only to callers with peer credentials; every privileged action is audited with that peer's user
/// before the answer is sent. Homing, jog, move and a light setting take the station's <see cref="ServicingLease"/>
/// for their duration, as diagnostics do: none starts during a capture or a diagnostic, and no capture starts
/// during one.
/// </summary>
public static class ServiceEndpoints
{
    /// <summary>Jog speed when the request gives none: slow enough to stop by eye.</summary>
    private const double DefaultJogFeedMillimetresPerMinute = 300;

    /// <summary>How long before expiry <c>acq status</c> starts warning, when Station:Calibration:WarnBefore is not set.</summary>
    private static readonly TimeSpan DefaultWarnBefore = TimeSpan.FromDays(7);

    /// <summary>Failure guard on a jog's end: a full-travel jog at the slowest feed, with margin.</summary>
    private static readonly TimeSpan JogArrivalGuard = TimeSpan.FromMinutes(2);

    /// <summary>Between status reports while waiting for a jog to end (GRBL's own report rate is of this order).</summary>
    private static readonly TimeSpan ArrivalPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Idle within this of the target counts as arrived: GRBL rounds a jog to whole motor steps.</summary>
    private const double ArrivalToleranceMicrometres = 1.0;

    public static WebApplication MapServiceApi(this WebApplication app)
    {
        app.MapGet(ControlApiRoutes.Status, GetStatusAsync);
        app.MapPost(ControlApiRoutes.StageHome, HomeAsync);
        app.MapPost(ControlApiRoutes.StageJog, JogAsync);
        app.MapPost(ControlApiRoutes.StageMove, MoveAsync);
        app.MapPut(ControlApiRoutes.Lights, SetLightsAsync);
        app.MapGet(ControlApiRoutes.Config, GetConfig);
        app.MapGet(ControlApiRoutes.Holds, async (Outbox outbox, CancellationToken ct) =>
            Results.Json((await outbox.ListHoldsAsync(ct).ConfigureAwait(false)).Select(ToControl).ToList(), ControlApiJson.Options));
        app.MapGet(ControlApiRoutes.Outbox, ListOutboxAsync);
        app.MapGet(ControlApiRoutes.Outbox + "/{captureId}", GetOutboxEntryAsync);
        app.MapPost(ControlApiRoutes.Outbox + "/{captureId}/retry", RetryOutboxAsync);
        app.MapPut(ControlApiRoutes.Holds + "/{captureId}", SetHoldAsync);
        app.MapDelete(ControlApiRoutes.Holds + "/{captureId}", ReleaseHoldAsync);
        app.MapDiagnosticsApi();
        app.MapCalibrationApi();
        app.MapStationIdentityApi();
        app.MapCorrectionApi();
        return app;
    }

    private static async Task<IResult> GetStatusAsync(HttpContext context, IServiceProvider services, StationStateMachine machine, IStage stage,
        IRingLight light, IOperatorPanel panel, IOptions<StationOptions> station, StationInfo info, TimeProvider time, IConfiguration configuration)
    {
        var ct = context.RequestAborted;
        var last = machine.LastChange;
        var now = time.GetUtcNow();
        CaseContext? currentCase = null;
        var cases = services.GetService<CaseContextStore>();
        if (cases is not null)
        {
            currentCase = await cases.GetAsync(ct).ConfigureAwait(false);
        }
        var report = new StationStatusReport(
            station.Value.StationId,
            last.To.ToString(),
            last.Reason,
            last.At,
            ToReport(stage.Status),
            ToReport(light.Current),
            new PanelReport(panel.DoorClosed ? "closed" : "open", panel.CasingPresent, panel.MotorsEnabled, panel.Indicator.ToString()),
            info.SoftwareVersion,
            info.StartedAt,
            Math.Round(info.Uptime.TotalSeconds, 3),
            now,
            Camera: null,
            Calibrations: CalibrationValidities(services.GetService<CalibrationStore>(), now, WarnBefore(configuration)),
            Outbox: await OutboxSummaryAsync(services.GetService<Outbox>(), ct).ConfigureAwait(false),
            Case: currentCase);
        return Results.Json(report, ControlApiJson.Options);
    }

    private static TimeSpan WarnBefore(IConfiguration configuration) =>
        TimeSpan.TryParse(configuration["Station:Calibration:WarnBefore"], System.Globalization.CultureInfo.InvariantCulture, out var t) ? t : DefaultWarnBefore;

    private static List<CalibrationValidity>? CalibrationValidities(CalibrationStore? store, DateTimeOffset now, TimeSpan warnBefore)
    {
        if (store is null)
        {
            return null;
        }
        var list = new List<CalibrationValidity>();
        foreach (var kind in Enum.GetValues<CalibrationKind>())
        {
            var latest = store.History(kind).OrderByDescending(r => r.Version).FirstOrDefault();
            if (latest is null)
            {
                list.Add(new CalibrationValidity(kind, CalibrationValidityStatus.Missing, null, null, null, null, null, warnBefore));
                continue;
            }
            var expires = store.ExpiresAt(latest);
            var status = expires <= now ? CalibrationValidityStatus.Expired
                : expires - now <= warnBefore ? CalibrationValidityStatus.Expiring
                : CalibrationValidityStatus.Valid;
            list.Add(new CalibrationValidity(kind, status, latest.Id, latest.Version, latest.PerformedAt, latest.PerformedBy, expires, warnBefore));
        }
        return list;
    }

    private static async Task<IResult> HomeAsync(HttpContext context, StationStateMachine machine, IStage stage, IOperatorPanel panel, AuditLog audit, DeviceClock clock)
    {
        if (RefuseMotion(machine, panel) is { } refused)
        {
            return refused;
        }
        using var lease = ServicingLease.TryTake(machine, "manual homing", context.GetCaller().UserName, out var held);
        if (lease is null)
        {
            return held!;
        }
        if (await ResumeHeldAsync(stage, clock).ConfigureAwait(false) is { } stuck)
        {
            return stuck;
        }
        var from = stage.Status.Position;
        var user = context.GetCaller().UserName;
        return await RunMotionAsync(context, audit, "stage.home", stage,
            async () =>
            {
                await stage.HomeAsync(CancellationToken.None).ConfigureAwait(false);
                // Homing is what a position-losing fault asks for: a successful one makes the station Ready again.
                lease.ClearsFault($"stage homed by {user}");
            },
            after => new { from = Describe(from), to = Describe(after) }).ConfigureAwait(false);
    }

    private static async Task<IResult> JogAsync(HttpContext context, StationStateMachine machine, IStage stage, IOperatorPanel panel, AuditLog audit, TimeProvider time, DeviceClock clock)
    {
        var request = await ReadAsync<JogRequest>(context).ConfigureAwait(false);
        if (request is null)
        {
            return BadBody("a jog", """{ "axis": "z", "distanceMicrometres": -50 }""");
        }
        if (RefuseMotion(machine, panel, needsHome: stage) is { } refused)
        {
            return refused;
        }
        using var lease = ServicingLease.TryTake(machine, "manual jog", context.GetCaller().UserName, out var held);
        if (lease is null)
        {
            return held!;
        }
        if (await ResumeHeldAsync(stage, clock).ConfigureAwait(false) is { } stuck)
        {
            return stuck;
        }
        // A fresh report, not the cached one: the target and the arrival check must start from where the stage is now.
        var from = (await stage.QueryStatusAsync(CancellationToken.None).ConfigureAwait(false)).Position;
        var target = from[request.Axis] + new Micrometres(request.DistanceMicrometres);
        if (OutsideTravel(stage, request.Axis, target) is { } outside)
        {
            return outside;
        }
        var feed = request.FeedRateMicrometresPerSecond is > 0 ? request.FeedRateMicrometresPerSecond.Value * 60 / 1000 : DefaultJogFeedMillimetresPerMinute;
        return await RunMotionAsync(context, audit, "stage.jog", stage,
            async () =>
            {
                await stage.JogAsync(request.Axis, new Micrometres(request.DistanceMicrometres), feed, CancellationToken.None).ConfigureAwait(false);
                await WaitForArrivalAsync(stage, request.Axis, target, time).ConfigureAwait(false);
            },
            after => new { axis = ControlApiJson.WireName(request.Axis), distanceMicrometres = request.DistanceMicrometres, from = Describe(from), to = Describe(after) })
            .ConfigureAwait(false);
    }

    private static async Task<IResult> MoveAsync(HttpContext context, StationStateMachine machine, IStage stage, IOperatorPanel panel, AuditLog audit, DeviceClock clock)
    {
        var request = await ReadAsync<MoveRequest>(context).ConfigureAwait(false);
        if (request is null)
        {
            return BadBody("a move", """{ "xMicrometres": 1500, "yMicrometres": null, "zMicrometres": 11950.5 }""");
        }
        if (request.XMicrometres is null && request.YMicrometres is null && request.ZMicrometres is null)
        {
            return Results.Problem("Every axis of the move is null: give at least one of xMicrometres, yMicrometres, zMicrometres.",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Nothing to move");
        }
        if (RefuseMotion(machine, panel, needsHome: stage) is { } refused)
        {
            return refused;
        }
        using var lease = ServicingLease.TryTake(machine, "manual move", context.GetCaller().UserName, out var held);
        if (lease is null)
        {
            return held!;
        }
        if (await ResumeHeldAsync(stage, clock).ConfigureAwait(false) is { } stuck)
        {
            return stuck;
        }
        var from = stage.Status.Position;
        var target = new StagePosition(
            request.XMicrometres is { } x ? new Micrometres(x) : from.X,
            request.YMicrometres is { } y ? new Micrometres(y) : from.Y,
            request.ZMicrometres is { } z ? new Micrometres(z) : from.Z);
        foreach (var axis in new[] { Axis.X, Axis.Y, Axis.Z })
        {
            if (OutsideTravel(stage, axis, target[axis]) is { } outside)
            {
                return outside;
            }
        }
        return await RunMotionAsync(context, audit, "stage.move", stage, () => stage.MoveToAsync(target, CancellationToken.None),
            after => new { target = Describe(target), from = Describe(from), to = Describe(after) }).ConfigureAwait(false);
    }

    private static async Task<IResult> SetLightsAsync(HttpContext context, StationStateMachine machine, IRingLight light, AuditLog audit)
    {
        var request = await ReadAsync<LightsRequest>(context).ConfigureAwait(false);
        if (request is null)
        {
            return BadBody("a lights setting", """{ "segments": [0, 1, 2], "level": 0.4, "coaxial": 0.1 }""");
        }
        var errors = new Dictionary<string, string[]>();
        var segments = request.Segments ?? Enumerable.Range(0, light.SegmentCount).ToList();
        var bad = segments.Where(s => s < 0 || s >= light.SegmentCount).ToList();
        if (bad.Count > 0)
        {
            errors["segments"] = [$"Segment(s) {string.Join(", ", bad)} do not exist: this ring has segments 0–{light.SegmentCount - 1}."];
        }
        if (request.Level is < 0 or > 1 || double.IsNaN(request.Level))
        {
            errors["level"] = ["The level is a fraction of full brightness, 0–1."];
        }
        if (request.Coaxial is { } c && (c is < 0 or > 1 || double.IsNaN(c)))
        {
            errors["coaxial"] = ["The coaxial level is a fraction of full brightness, 0–1."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, "The lights request is out of range; see errors.", statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        // The lights belong to a running capture or diagnostic: the same lease as theirs, so neither can start mid-change.
        using var lease = ServicingLease.TryTake(machine, "manual light setting", context.GetCaller().UserName, out var held);
        if (lease is null)
        {
            return held!;
        }
        var state = LightingState.Segmented(light.SegmentCount, segments, request.Level, request.Coaxial ?? light.Current.Coaxial);
        await light.SetAsync(state, context.RequestAborted).ConfigureAwait(false);
        await audit.AppendAsync(context.GetCaller().UserName, "lights.set",
            new { segments, level = request.Level, coaxial = state.Coaxial }, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(ToReport(light.Current), ControlApiJson.Options);
    }

    private static async Task<IResult> SetHoldAsync(string captureId, HttpContext context, Outbox outbox, AuditLog audit)
    {
        var request = await ReadAsync<LegalHoldRequest>(context).ConfigureAwait(false);
        if (request is null || string.IsNullOrWhiteSpace(request.Reason))
        {
            return BadBody("a legal-hold", """{ "reason": "Court order 2026-77" }""");
        }
        if (!Ulid.TryParse(captureId, out _))
        {
            return Results.Problem($"'{captureId}' is not a capture id (a 26-character ULID, as in 'acq outbox list').",
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Not a capture id");
        }
        var user = context.GetCaller().UserName;
        // Audited before it takes effect: a crash in between leaves an entry for a hold that was not set (which the
        // list shows), never a hold, or a release, with no entry. A hold may precede the capture's arrival in the
        // outbox: refusing it would leave evidence deletable.
        await audit.AppendAsync(user, "hold.set", new { captureId, reason = request.Reason }, CancellationToken.None).ConfigureAwait(false);
        await outbox.SetHoldAsync(captureId, request.Reason, user, CancellationToken.None).ConfigureAwait(false);
        var hold = (await outbox.ListHoldsAsync(CancellationToken.None).ConfigureAwait(false)).First(h => h.CaptureId == captureId);
        return Results.Json(ToControl(hold), ControlApiJson.Options);
    }

    private static async Task<IResult> ReleaseHoldAsync(string captureId, HttpContext context, Outbox outbox, AuditLog audit)
    {
        var request = await ReadAsync<LegalHoldRequest>(context).ConfigureAwait(false);
        if (request is null || string.IsNullOrWhiteSpace(request.Reason))
        {
            return BadBody("a legal-hold release", """{ "reason": "Order lifted 2026-80" }""");
        }
        var hold = (await outbox.ListHoldsAsync(CancellationToken.None).ConfigureAwait(false)).FirstOrDefault(h => h.CaptureId == captureId);
        if (hold is null)
        {
            return NoSuchHold(captureId);
        }
        // Audited before it takes effect: once released, retention may delete the package, and a crash in between
        // must not leave that with no record of who lifted the hold.
        await audit.AppendAsync(context.GetCaller().UserName, "hold.released", new { captureId, reason = request.Reason, heldSince = hold.SetAt, heldBy = hold.SetBy },
            CancellationToken.None).ConfigureAwait(false);
        if (!await outbox.ReleaseHoldAsync(captureId, CancellationToken.None).ConfigureAwait(false))
        {
            // Released by someone else meanwhile: the entry above is this attempt, and this one says it did nothing.
            await audit.AppendAsync(context.GetCaller().UserName, "hold.release-not-needed", new { captureId }, CancellationToken.None).ConfigureAwait(false);
            return NoSuchHold(captureId);
        }
        return Results.Json(ToControl(hold), ControlApiJson.Options);
    }

    private static IResult NoSuchHold(string captureId) =>
        Results.Problem($"Capture {captureId} is not under legal hold (see acq hold list).", statusCode: StatusCodes.Status404NotFound, title: "No such hold");

    private static async Task<OutboxSummary?> OutboxSummaryAsync(Outbox? outbox, CancellationToken ct)
    {
        if (outbox is null)
        {
            return null;
        }
        var rows = await outbox.ListAsync(ct).ConfigureAwait(false);
        var holds = await outbox.ListHoldsAsync(ct).ConfigureAwait(false);
        var pending = rows.Where(r => r.State == DeliveryState.Pending).ToList();
        return new OutboxSummary(pending.Count, rows.Count(r => r.State == DeliveryState.Uploading), rows.Count(r => r.State == DeliveryState.Delivered),
            rows.Count(r => r.State == DeliveryState.Rejected), holds.Count, pending.Count == 0 ? null : pending.Min(r => r.EnqueuedAt));
    }

    private static async Task<List<OutboxEntry>> EntriesAsync(Outbox outbox, CancellationToken ct)
    {
        var rows = await outbox.ListAsync(ct).ConfigureAwait(false);
        var held = (await outbox.ListHoldsAsync(ct).ConfigureAwait(false)).Select(h => h.CaptureId).ToHashSet(StringComparer.Ordinal);
        return [.. rows.GroupBy(r => r.CaptureId, StringComparer.Ordinal)
            .Select(g => new OutboxEntry(g.Key, g.Min(r => r.EnqueuedAt), held.Contains(g.Key), [.. g.OrderBy(r => r.Destination, StringComparer.Ordinal).Select(ToControl)]))
            .OrderBy(e => e.EnqueuedAt)];
    }

    private static async Task<IResult> ListOutboxAsync(HttpContext context, Outbox outbox)
    {
        var entries = await EntriesAsync(outbox, context.RequestAborted).ConfigureAwait(false);
        var raw = context.Request.Query["state"].ToString();
        if (raw.Length > 0)
        {
            var state = Enum.GetValues<OutboxState>().Where(v => ControlApiJson.WireName(v) == raw).Select(v => (OutboxState?)v).FirstOrDefault();
            if (state is null)
            {
                return Results.Problem($"'{raw}' is not an outbox state: use pending, uploading, delivered or rejected.", statusCode: StatusCodes.Status400BadRequest, title: "Bad state");
            }
            entries = [.. entries.Where(e => e.Destinations.Any(d => d.State == state))];
        }
        return Results.Json(entries, ControlApiJson.Options);
    }

    private static async Task<IResult> GetOutboxEntryAsync(string captureId, HttpContext context, Outbox outbox)
    {
        var entry = (await EntriesAsync(outbox, context.RequestAborted).ConfigureAwait(false)).FirstOrDefault(e => e.CaptureId == captureId);
        return entry is null
            ? Results.Problem($"Capture {captureId} is not in the outbox (see acq outbox list).", statusCode: StatusCodes.Status404NotFound, title: "Not in the outbox")
            : Results.Json(entry, ControlApiJson.Options);
    }

    private static async Task<IResult> RetryOutboxAsync(string captureId, HttpContext context, Outbox outbox, AuditLog audit)
    {
        var before = (await EntriesAsync(outbox, CancellationToken.None).ConfigureAwait(false)).FirstOrDefault(e => e.CaptureId == captureId);
        if (before is null)
        {
            return Results.Problem($"Capture {captureId} is not in the outbox (see acq outbox list).", statusCode: StatusCodes.Status404NotFound, title: "Not in the outbox");
        }
        var rejected = before.Destinations.Where(d => d.State == OutboxState.Rejected).Select(d => d.Destination).ToList();
        if (rejected.Count == 0)
        {
            return Results.Problem($"Capture {captureId} has no rejected destination; nothing to retry.", statusCode: StatusCodes.Status409Conflict, title: "Nothing rejected");
        }
        await outbox.RetryAsync(captureId, CancellationToken.None).ConfigureAwait(false);
        await audit.AppendAsync(context.GetCaller().UserName, "outbox.retry", new { captureId, destinations = rejected }, CancellationToken.None).ConfigureAwait(false);
        var after = (await EntriesAsync(outbox, CancellationToken.None).ConfigureAwait(false)).First(e => e.CaptureId == captureId);
        return Results.Json(after, ControlApiJson.Options);
    }

    private static OutboxDestinationProgress ToControl(OutboxDelivery d) => new(d.Destination, (OutboxState)(int)d.State, d.Reason, d.ServerError, d.Attempts,
        d.NextAttemptAt, d.DeliveredAt, d.OciManifestDigest.Length == 0 ? null : d.OciManifestDigest, d.VerifiedDigest);

    private static Acquisition.Core.Control.LegalHold ToControl(Acquisition.Uplink.LegalHold h) => new(h.CaptureId, h.Reason, h.SetBy, h.SetAt);

    private static IResult GetConfig(IConfiguration configuration) => Results.Json(Flatten(configuration), ControlApiJson.Options);

    /// <summary>The configuration tree as nested objects, secrets masked: an engineer may paste it into a ticket.</summary>
    private static Dictionary<string, object?> Flatten(IConfiguration section)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var child in section.GetChildren())
        {
            if (child.GetChildren().Any())
            {
                result[child.Key] = Flatten(child);
            }
            else
            {
                result[child.Key] = IsSecret(child.Key) && !string.IsNullOrEmpty(child.Value) ? "***" : child.Value;
            }
        }
        return result;
    }

    private static bool IsSecret(string key) =>
        key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Contains("token", StringComparison.OrdinalIgnoreCase)
        || key.Contains("secret", StringComparison.OrdinalIgnoreCase) || key.Contains("privatekey", StringComparison.OrdinalIgnoreCase);

    private static IResult? RefuseMotion(StationStateMachine machine, IOperatorPanel panel, IStage? needsHome = null)
    {
        if (machine.LastChange is { To: StationState.Capturing or StationState.Servicing } holding)
        {
            return ServicingLease.Refusal(holding); // a capture or a diagnostic holds the stage: 409 with what and why
        }
        if (!panel.DoorClosed)
        {
            return Results.Problem("The door is open; the stage does not move with the door open. Close it and retry.",
                statusCode: StatusCodes.Status409Conflict, title: "Door open");
        }
        if (needsHome is not null && !needsHome.Status.IsHomed)
        {
            return Results.Problem("The stage is not homed, so its position is unknown. Home it first (acq home).",
                statusCode: StatusCodes.Status409Conflict, title: "Not homed");
        }
        return null;
    }

    private static IResult? OutsideTravel(IStage stage, Axis axis, Micrometres target)
    {
        var (min, max) = stage.TravelOf(axis);
        if (target < min || target > max)
        {
            return Results.Problem(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The {ControlApiJson.WireName(axis)} target {target.Value:0.###} µm is outside the soft limits {min.Value:0.###}–{max.Value:0.###} µm. Choose a smaller distance."),
                statusCode: StatusCodes.Status422UnprocessableEntity, title: "Outside travel");
        }
        return null;
    }

    /// <summary>
    /// The door was opened since the last move (to mount a casing, say): GRBL waits in Door (or Hold) state for a cycle
    /// start and refuses motion, homing included, until then. The door is closed (checked), so resume it first.
    /// </summary>
    private static Task<IResult?> ResumeHeldAsync(IStage stage, DeviceClock clock) => ResumeHeldAsync(stage, clock.Time, null);

    /// <summary>
    /// As above, for every diagnostic and calibration that moves the stage. With <paramref name="panel"/>, only when the
    /// door is closed: GRBL ignores a cycle start with the door open, and the operation then reports the door itself.
    /// </summary>
    internal static async Task<IResult?> ResumeHeldAsync(IStage stage, TimeProvider deviceClock, IOperatorPanel? panel)
    {
        if (panel is { DoorClosed: false })
        {
            return null;
        }
        try
        {
            await stage.ResumeIfHeldAsync(deviceClock, CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (StageHeldException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Stage held");
        }
        catch (HardwareFaultException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status500InternalServerError, title: "Hardware fault");
        }
    }

    private static async Task<IResult> RunMotionAsync(HttpContext context, AuditLog audit, string action, IStage stage, Func<Task> motion, Func<StagePosition, object> details)
    {
        try
        {
            // Motion is not tied to the request: a client that disconnects must not leave the stage half-way.
            await motion().ConfigureAwait(false);
        }
        catch (HardwareFaultException ex)
        {
            await audit.AppendAsync(context.GetCaller().UserName, action + ".failed", new { error = ex.Message }, CancellationToken.None).ConfigureAwait(false);
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status500InternalServerError, title: "Hardware fault");
        }
        catch (InvalidOperationException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict, title: "Stage refused");
        }
        catch (OperationCanceledException)
        {
            await audit.AppendAsync(context.GetCaller().UserName, action + ".failed", new { error = "did not arrive" }, CancellationToken.None).ConfigureAwait(false);
            return Results.Problem("The stage did not reach its target in time. Check it with acq status; home it if its position is in doubt.",
                statusCode: StatusCodes.Status500InternalServerError, title: "Motion did not finish");
        }
        var after = await stage.QueryStatusAsync(CancellationToken.None).ConfigureAwait(false);
        await audit.AppendAsync(context.GetCaller().UserName, action, details(after.Position), CancellationToken.None).ConfigureAwait(false);
        return Results.Json(ToReport(after), ControlApiJson.Options);
    }

    /// <summary>
    /// GRBL acknowledges a jog when it is queued, not when it ends; the answer (and the audit's "to") must be where the
    /// stage stopped, so wait on status reports until it is idle at the target.
    /// </summary>
    private static async Task WaitForArrivalAsync(IStage stage, Axis axis, Micrometres target, TimeProvider time)
    {
        using var guard = new CancellationTokenSource(JogArrivalGuard, time);
        var first = true;
        while (true)
        {
            if (!first)
            {
                // Pace the reports: back-to-back '?' round trips would keep a simulated controller's virtual clock
                // from ever going quiet enough to advance, and gain nothing on a real one.
                await Task.Delay(ArrivalPollInterval, time, guard.Token).ConfigureAwait(false);
            }
            first = false;
            var s = await stage.QueryStatusAsync(guard.Token).ConfigureAwait(false);
            if (s.State == StageMotionState.Alarm)
            {
                throw new HardwareFaultException($"The stage went into alarm during the jog ({s.LimitPins}). Clear it by homing (acq home).");
            }
            if (s.State is StageMotionState.Door or StageMotionState.Hold)
            {
                // Held (the door opened mid-jog): the jog is cancelled and will not arrive, so say so now rather
                // than after the arrival guard.
                throw new HardwareFaultException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The jog was stopped: the stage is in {s.State} state at {s.Position[axis].Value:0.#} µm on {ControlApiJson.WireName(axis)}, short of {target.Value:0.#} µm ({(s.State == StageMotionState.Door ? "the door was opened" : "motion was held")}). Close the door and jog again."));
            }
            if (s.State == StageMotionState.Idle && Math.Abs(s.Position[axis].Value - target.Value) <= ArrivalToleranceMicrometres)
            {
                return;
            }
        }
    }

    private static async Task<T?> ReadAsync<T>(HttpContext context) where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, ControlApiJson.Options, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult BadBody(string what, string example) =>
        Results.Problem($"The body is not {what} request. Send JSON like {example}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    private static object Describe(StagePosition p) => new { xMicrometres = p.X.Value, yMicrometres = p.Y.Value, zMicrometres = p.Z.Value };

    private static StageReport ToReport(StageStatus s) =>
        new(s.State.ToString(), s.Position.X.Value, s.Position.Y.Value, s.Position.Z.Value, s.IsHomed, s.LimitPins, s.At);

    private static LightsReport ToReport(LightingState l) => new([.. l.Segments], l.Coaxial, l.IsOff);
}
