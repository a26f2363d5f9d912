using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Station.ControlApi;
using Acquisition.Station.Uplink;
using Acquisition.Uplink;
using Acquisition.Workflow.Cases;

namespace Acquisition.Station.Service;

/// <summary>
/// POST and GET /captures/{captureId}/corrections (docs/control-api.md): corrections after sealing (issue 6 §4). Only on
/// the control socket; the correction names the SO_PEERCRED peer user as its operator and is audited
/// ("capture.corrected") before the answer is sent. A new supplement is queued for upload at once when the uplink runs.
/// </summary>
internal static class CorrectionEndpoints
{
    private const string Example = """{ "fields": { "caseNumber": "2026-0142" }, "reason": "case number mistyped at the bench" }""";

    public static WebApplication MapCorrectionApi(this WebApplication app)
    {
        app.MapPost(ControlApiRoutes.Captures + "/{captureId}/corrections", CorrectAsync);
        app.MapGet(ControlApiRoutes.Captures + "/{captureId}/corrections", ListAsync);
        return app;
    }

    private static async Task<IResult> CorrectAsync(string captureId, HttpContext context, CaptureCorrections corrections, IServiceProvider services)
    {
        CorrectionRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<CorrectionRequest>(context.Request.Body, ControlApiJson.Options, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (request?.Fields is null)
        {
            return Results.Problem($"The body is not a correction. Send JSON like {Example}.", statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        CaptureCorrection made;
        try
        {
            // Not tied to the request: once sealing starts, a client that goes away must not leave a half-audited correction.
            made = await corrections.CorrectAsync(captureId, request.Fields, request.Reason ?? "", context.GetCaller().UserName, CancellationToken.None).ConfigureAwait(false);
        }
        catch (CaptureCorrectionException ex)
        {
            return Refusal(captureId, ex);
        }
        string? note = null;
        if (services.GetService<PackageSealedEnqueuer>() is { } enqueuer)
        {
            try
            {
                var queued = await enqueuer.EnqueuePackageAsync(made.PackagePath, CancellationToken.None).ConfigureAwait(false);
                // AlreadyQueued: the uplink's own scan of packages/ was quicker; queued either way.
                note = queued.Outcome is EnqueueOutcome.Enqueued or EnqueueOutcome.AlreadyQueued ? null : $"{queued.Outcome}: {string.Join("; ", queued.Problems)}";
            }
            catch (Exception ex) when (ex is IOException or Microsoft.Data.Sqlite.SqliteException or UnauthorizedAccessException)
            {
                // Not lost: the supplement is sealed in packages/, and the uplink's next scan queues it.
                note = "not queued yet (" + ex.Message + "); the uplink's next scan of packages/ queues it";
            }
        }
        else
        {
            note = "the uplink is not running in this build; the supplement stays in packages/";
        }
        var report = await ToReportAsync(made, services.GetService<Outbox>(), note, CancellationToken.None).ConfigureAwait(false);
        return Results.Json(report, ControlApiJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListAsync(string captureId, HttpContext context, CaptureCorrections corrections, IServiceProvider services)
    {
        IReadOnlyList<CaptureCorrection> list;
        try
        {
            list = await corrections.ListAsync(captureId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (CaptureCorrectionException ex)
        {
            return Refusal(captureId, ex);
        }
        var outbox = services.GetService<Outbox>();
        var reports = new List<CaptureCorrectionReport>();
        foreach (var c in list)
        {
            reports.Add(await ToReportAsync(c, outbox, null, context.RequestAborted).ConfigureAwait(false));
        }
        return Results.Json(reports, ControlApiJson.Options);
    }

    private static IResult Refusal(string captureId, CaptureCorrectionException ex) => ex.Failure switch
    {
        CaptureCorrectionFailure.UnknownCapture => Results.Problem(ex.Problems[0] + ". See acq outbox list for the captures of this station.",
            statusCode: StatusCodes.Status404NotFound, title: "Unknown capture"),
        CaptureCorrectionFailure.OriginalDoesNotVerify => Results.Problem(string.Join("; ", ex.Problems),
            statusCode: StatusCodes.Status409Conflict, title: "Original does not verify"),
        _ => Results.ValidationProblem(new Dictionary<string, string[]> { ["correction"] = [.. ex.Problems] },
            detail: $"The correction of {captureId} was refused: {string.Join("; ", ex.Problems)}", title: "Invalid correction",
            statusCode: StatusCodes.Status422UnprocessableEntity),
    };

    private static async Task<CaptureCorrectionReport> ToReportAsync(CaptureCorrection c, Outbox? outbox, string? note, CancellationToken ct)
    {
        var r = c.Record;
        var upload = outbox is null ? [] : (await outbox.GetAsync(r.CorrectionId, ct).ConfigureAwait(false)).Select(d => new OutboxDestinationProgress(
            d.Destination, (OutboxState)(int)d.State, d.Reason, d.ServerError, d.Attempts, d.NextAttemptAt, d.DeliveredAt,
            d.OciManifestDigest.Length == 0 ? null : d.OciManifestDigest, d.VerifiedDigest)).ToList();
        return new CaptureCorrectionReport(r.CorrectionId, r.OriginalCaptureId, r.Sequence,
            [.. r.Changes.Select(x => new CorrectionFieldChange(x.Field, x.OldValue, x.NewValue))], r.Reason, r.Operator, r.CorrectedAt,
            r.OriginalManifestSha256, c.ManifestSha256, c.PackagePath, upload, note);
    }
}
