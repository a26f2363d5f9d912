using System.Text.Json;
using System.Threading.Channels;
using Acquisition.Core.Control;
using Acquisition.Workflow.Calibration.Procedures;

namespace Acquisition.Station.Service;

/// <summary>
/// A long operation answered as docs/control-api.md says: an application/x-ndjson event stream (progress lines, then
/// one result or error line) when the caller accepts it, otherwise the plain JSON result or problem when done. The
/// operation runs to its end whether or not the caller stays connected: it moves hardware and writes records.
/// </summary>
internal static class OperationStream
{
    public const string NdJson = "application/x-ndjson";

    public static async Task<IResult> RunAsync<T>(HttpContext context, Func<IProgress<ProcedureProgress>, Task<T>> operation, Func<Exception, Task<ControlProblem?>> problemOf)
    {
        var streaming = context.Request.Headers.Accept.Any(a => a is not null && a.Contains(NdJson, StringComparison.OrdinalIgnoreCase));
        if (!streaming)
        {
            try
            {
                var result = await operation(new Progress<ProcedureProgress>(_ => { })).ConfigureAwait(false);
                return Results.Json(result, ControlApiJson.Options);
            }
            catch (Exception ex)
            {
                var problem = await problemOf(ex).ConfigureAwait(false);
                if (problem is null)
                {
                    throw;
                }
                return Results.Problem(problem.Detail, statusCode: problem.Status, title: problem.Title);
            }
        }

        var events = Channel.CreateUnbounded<OperationEvent>(new UnboundedChannelOptions { SingleReader = true });
        var progress = new ChannelProgress(events.Writer);
        var run = Task.Run(async () =>
        {
            try
            {
                var result = await operation(progress).ConfigureAwait(false);
                events.Writer.TryWrite(new OperationEvent(OperationEvent.ResultEvent, Result: JsonSerializer.SerializeToElement(result, ControlApiJson.Options)));
            }
            catch (Exception ex)
            {
                var problem = await problemOf(ex).ConfigureAwait(false)
                    ?? new ControlProblem("about:blank", "Station failure", StatusCodes.Status500InternalServerError, ex.Message);
                events.Writer.TryWrite(new OperationEvent(OperationEvent.Error, Problem: problem));
            }
            finally
            {
                events.Writer.TryComplete();
            }
        });

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = NdJson;
        try
        {
            await foreach (var e in events.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await context.Response.WriteAsync(JsonSerializer.Serialize(e, ControlApiJson.Options) + "\n", context.RequestAborted).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller left; the operation finishes on its own (see above).
        }
        await run.ConfigureAwait(false);
        return Results.Empty;
    }

    /// <summary>Progress straight into the stream, in order (Progress&lt;T&gt; would post to the thread pool and may reorder).</summary>
    private sealed class ChannelProgress(ChannelWriter<OperationEvent> writer) : IProgress<ProcedureProgress>
    {
        public void Report(ProcedureProgress value) =>
            writer.TryWrite(new OperationEvent(OperationEvent.Progress, value.Fraction is { } f ? Math.Round(f, 3) : null, value.Message));
    }
}
