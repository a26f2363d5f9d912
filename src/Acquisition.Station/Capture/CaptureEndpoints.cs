using Acquisition.Core.Domain;
using Acquisition.Station.ControlApi;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Capture;

namespace Acquisition.Station.Capture;

/// <summary>The case and capture endpoints of the control API: GET/PUT /case, POST /capture, POST /capture/abort.</summary>
public static class CaptureEndpoints
{
    public static WebApplication MapCaptureApi(this WebApplication app)
    {
        app.MapGet("/case", async (CaseContextStore cases, CancellationToken ct) =>
        {
            var current = await cases.GetAsync(ct);
            // The contract (docs/control-api.md) answers the bare CaseContext, so acq and scripts need no envelope.
            return current is null
                ? Results.Problem("No case is set: PUT /case first (or preset Station:Case:Preset).", statusCode: StatusCodes.Status404NotFound, title: "No case")
                : Results.Ok(current);
        });
        app.MapPut("/case", async (CaseContext body, CaseContextStore cases, HttpContext context, CancellationToken ct) =>
        {
            try
            {
                var stored = await cases.SetAsync(body, context.GetCaller().UserName, ct);
                return Results.Ok(stored);
            }
            catch (CaseValidationException ex)
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["case"] = [.. ex.Problems] },
                    detail: ex.Message, title: "Invalid case", statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        });
        app.MapPost("/capture", async (IServiceProvider services, CaseContextStore cases, HttpContext context, CancellationToken ct) =>
        {
            CaptureSequence sequence;
            try
            {
                sequence = services.GetRequiredService<CaptureSequence>();
            }
            catch (InvalidOperationException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
            var current = await cases.GetAsync(ct);
            if (current is null)
            {
                return Results.Conflict(new { error = "No case is set: PUT /case first." });
            }
            if (sequence.IsRunning)
            {
                return Results.Conflict(new { error = "A capture is already running." });
            }
            try
            {
                // The capture runs to its end even if the client goes away: it has its own abort paths.
                var outcome = await sequence.RunAsync(current, context.GetCaller().UserName, CancellationToken.None);
                return Results.Ok(new { captureId = outcome.Record.CaptureId, status = outcome.Status.ToString(), outcome.Record.Reasons, package = outcome.PackagePath, timing = outcome.Timing.ToString() });
            }
            catch (InvalidOperationException ex)
            {
                return Results.Conflict(new { error = ex.Message });
            }
        });
        app.MapPost("/capture/abort", (IServiceProvider services, HttpContext context) =>
        {
            var sequence = services.GetService<CaptureSequence>();
            return sequence is not null && sequence.Abort($"aborted through the control API by {context.GetCaller().UserName}")
                ? Results.Accepted()
                : Results.Conflict(new { error = "No capture is running." });
        });
        return app;
    }
}
