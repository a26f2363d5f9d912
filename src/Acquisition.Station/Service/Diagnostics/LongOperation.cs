using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>
/// Runs a long operation as docs/control-api.md's "Event stream (long operations)" says: with an Accept that names
/// application/x-ndjson, a 200 stream of progress lines and exactly one result or error line; otherwise the plain
/// JSON result (or a problem) when done. The operation is not tied to the connection: a client that goes away stops
/// receiving progress, while the hardware finishes on its own terms.
/// </summary>
public static class LongOperation
{
    public static async Task<IResult> RunAsync<T>(HttpContext context, Func<OperationProgressSink, Task<T>> operation, Func<T, Task>? onResult = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(operation);
        var streaming = context.Request.Headers.Accept.Any(a => a is not null && a.Contains(ControlApiJson.EventStreamMediaType, StringComparison.OrdinalIgnoreCase));
        if (!streaming)
        {
            T plain;
            try
            {
                plain = await operation((_, _) => Task.CompletedTask).ConfigureAwait(false);
            }
            catch (Exception ex) when (Classify(ex) is { } problem)
            {
                return Results.Problem(problem.Detail, statusCode: problem.Status, title: problem.Title);
            }
            if (onResult is not null)
            {
                await onResult(plain).ConfigureAwait(false);
            }
            return Results.Json(plain, ControlApiJson.Options);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ControlApiJson.EventStreamMediaType;
        var clientGone = false;
        var writeGate = new SemaphoreSlim(1, 1);
        async Task WriteAsync(OperationEvent e)
        {
            if (clientGone)
            {
                return;
            }
            await writeGate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                var line = JsonSerializer.SerializeToUtf8Bytes(e, ControlApiJson.Options);
                await response.Body.WriteAsync(line, context.RequestAborted).ConfigureAwait(false);
                await response.Body.WriteAsync("\n"u8.ToArray(), context.RequestAborted).ConfigureAwait(false);
                await response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                clientGone = true; // the operation goes on; only its audience left
            }
            finally
            {
                writeGate.Release();
            }
        }

        await response.StartAsync(CancellationToken.None).ConfigureAwait(false);
        T result;
        try
        {
            result = await operation((fraction, message) => WriteAsync(new OperationEvent(OperationEvent.Progress, fraction, message))).ConfigureAwait(false);
        }
        catch (Exception ex) when (Classify(ex) is { } problem)
        {
            await WriteAsync(new OperationEvent(OperationEvent.Error, Problem: problem)).ConfigureAwait(false);
            return Results.Empty;
        }
        if (onResult is not null)
        {
            await onResult(result).ConfigureAwait(false);
        }
        await WriteAsync(new OperationEvent(OperationEvent.ResultEvent, Result: JsonSerializer.SerializeToElement(result, ControlApiJson.Options))).ConfigureAwait(false);
        return Results.Empty;
    }

    /// <summary>The problem a failed operation answers with; null for bugs, which must surface as such.</summary>
    public static ControlProblem? Classify(Exception ex) => ex switch
    {
        DiagnosticRefusedException r => new ControlProblem("about:blank", r.Title, r.StatusCode, r.Message),
        HardwareFaultException h => new ControlProblem("about:blank", "Hardware fault", StatusCodes.Status500InternalServerError, h.Message),
        OperationCanceledException => new ControlProblem("about:blank", "Operation did not finish", StatusCodes.Status500InternalServerError,
            "The operation was stopped before it finished (the station is shutting down or a device did not answer). Check acq status and retry."),
        _ => null,
    };
}
