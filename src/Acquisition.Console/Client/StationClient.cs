using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.ServiceConsole.Cli;

namespace Acquisition.ServiceConsole.Client;

/// <summary>
/// Typed client of the station's control API (docs/control-api.md) over its Unix socket. Every failure becomes a
/// <see cref="CliException"/> with the documented exit code and the station's own problem detail.
/// </summary>
internal sealed class StationClient : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShortCallTimeout = TimeSpan.FromSeconds(30);
    private readonly HttpClient _http;
    private readonly string _socketPath;

    public StationClient(string socketPath)
    {
        _socketPath = socketPath;
        _http = UnixSocketHttp.Create(socketPath, ConnectTimeout);
    }

    public void Dispose() => _http.Dispose();

    public Task<StationStatusReport> GetStatusAsync(CancellationToken ct) => SendAsync<StationStatusReport>(HttpMethod.Get, ControlApiRoutes.Status, null, ct);

    public Task<CallerIdentity> WhoAmIAsync(CancellationToken ct) => SendAsync<CallerIdentity>(HttpMethod.Get, ControlApiRoutes.WhoAmI, null, ct);

    public Task<StageReport> HomeAsync(IProgress<OperationProgress>? progress, CancellationToken ct) =>
        RunOperationAsync<StageReport>(HttpMethod.Post, ControlApiRoutes.StageHome, null, progress, ct);

    public Task<StageReport> JogAsync(JogRequest request, CancellationToken ct) => SendAsync<StageReport>(HttpMethod.Post, ControlApiRoutes.StageJog, request, ct);

    public Task<StageReport> MoveAsync(MoveRequest request, CancellationToken ct) => SendAsync<StageReport>(HttpMethod.Post, ControlApiRoutes.StageMove, request, ct);

    public Task<LightsReport> SetLightsAsync(LightsRequest request, CancellationToken ct) => SendAsync<LightsReport>(HttpMethod.Put, ControlApiRoutes.Lights, request, ct);

    public Task<AutofocusResult> AutofocusAsync(AutofocusRequest request, IProgress<OperationProgress>? progress, CancellationToken ct) =>
        RunOperationAsync<AutofocusResult>(HttpMethod.Post, ControlApiRoutes.Autofocus, request, progress, ct);

    public Task<SelfTestReport> SelfTestAsync(IProgress<OperationProgress>? progress, CancellationToken ct) =>
        RunOperationAsync<SelfTestReport>(HttpMethod.Post, ControlApiRoutes.SelfTest, null, progress, ct);

    public Task<CalibrationResult> CalibrateAsync(CalibrationKind kind, CalibrationRequest request, IProgress<OperationProgress>? progress, CancellationToken ct) =>
        RunOperationAsync<CalibrationResult>(HttpMethod.Post, ControlApiRoutes.Calibration(ControlApiJson.WireName(kind)), request, progress, ct);

    public Task<ReferenceVerificationResult> VerifyReferenceAsync(IProgress<OperationProgress>? progress, CancellationToken ct) =>
        RunOperationAsync<ReferenceVerificationResult>(HttpMethod.Post, ControlApiRoutes.VerifyReference, null, progress, ct);

    /// <summary>The current case, or null when none is set (404).</summary>
    public async Task<CaseContext?> GetCaseAsync(CancellationToken ct)
    {
        try
        {
            return await SendAsync<CaseContext>(HttpMethod.Get, ControlApiRoutes.Case, null, ct).ConfigureAwait(false);
        }
        catch (CliException ex) when (ex.Problem?.Status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<CaseContext> SetCaseAsync(CaseContext context, CancellationToken ct) => SendAsync<CaseContext>(HttpMethod.Put, ControlApiRoutes.Case, context, ct);

    public Task<LegalHold> SetHoldAsync(string captureId, LegalHoldRequest request, CancellationToken ct) =>
        SendAsync<LegalHold>(HttpMethod.Put, ControlApiRoutes.Hold(captureId), request, ct);

    public Task<LegalHold> ReleaseHoldAsync(string captureId, LegalHoldRequest request, CancellationToken ct) =>
        SendAsync<LegalHold>(HttpMethod.Delete, ControlApiRoutes.Hold(captureId), request, ct);

    public Task<CaptureCorrectionReport> CorrectCaptureAsync(string captureId, CorrectionRequest request, CancellationToken ct) =>
        SendAsync<CaptureCorrectionReport>(HttpMethod.Post, ControlApiRoutes.CaptureCorrections(captureId), request, ct);

    public Task<IReadOnlyList<CaptureCorrectionReport>> ListCorrectionsAsync(string captureId, CancellationToken ct) =>
        SendAsync<IReadOnlyList<CaptureCorrectionReport>>(HttpMethod.Get, ControlApiRoutes.CaptureCorrections(captureId), null, ct);

    public Task<IReadOnlyList<LegalHold>> ListHoldsAsync(CancellationToken ct) =>
        SendAsync<IReadOnlyList<LegalHold>>(HttpMethod.Get, ControlApiRoutes.Holds, null, ct);

    public Task<IReadOnlyList<OutboxEntry>> ListOutboxAsync(OutboxState? state, CancellationToken ct) =>
        SendAsync<IReadOnlyList<OutboxEntry>>(HttpMethod.Get,
            state is { } s ? ControlApiRoutes.Outbox + "?state=" + ControlApiJson.WireName(s) : ControlApiRoutes.Outbox, null, ct);

    public Task<OutboxEntry> GetOutboxEntryAsync(string captureId, CancellationToken ct) =>
        SendAsync<OutboxEntry>(HttpMethod.Get, ControlApiRoutes.OutboxEntry(captureId), null, ct);

    public Task<OutboxEntry> RetryOutboxEntryAsync(string captureId, CancellationToken ct) =>
        SendAsync<OutboxEntry>(HttpMethod.Post, ControlApiRoutes.OutboxRetry(captureId), null, ct);

    public Task<JsonElement> GetConfigAsync(CancellationToken ct) => SendAsync<JsonElement>(HttpMethod.Get, ControlApiRoutes.Config, null, ct);

    public Task<StationIdentity> EnrolAsync(EnrolmentRequest request, CancellationToken ct) => SendAsync<StationIdentity>(HttpMethod.Post, ControlApiRoutes.Enrol, request, ct);

    public Task<StationIdentity> RotateKeyAsync(EnrolmentRequest request, CancellationToken ct) => SendAsync<StationIdentity>(HttpMethod.Post, ControlApiRoutes.KeyRotate, request, ct);

    /// <summary>POST /camera/snap: the PNG bytes of one frame.</summary>
    public async Task<byte[]> SnapAsync(SnapRequest request, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ShortCallTimeout);
        using var message = Build(HttpMethod.Post, ControlApiRoutes.CameraSnap, request);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/png"));
        using var response = await SendRawAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token, ct).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, timeout.Token).ConfigureAwait(false);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType != "image/png")
        {
            throw new CliException(ExitCodes.StationFailed, $"The station answered the snapshot with '{mediaType ?? "no content type"}' instead of image/png.");
        }
        return await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ShortCallTimeout);
        using var message = Build(method, path, body);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ControlApiJson.MediaType));
        using var response = await SendRawAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token, ct).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, timeout.Token).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        return Deserialize<T>(text, method, path);
    }

    /// <summary>
    /// A long operation: asks for an event stream so progress can be shown; a station that answers with plain JSON
    /// (no progress) is accepted too.
    /// </summary>
    private async Task<T> RunOperationAsync<T>(HttpMethod method, string path, object? body, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        using var message = Build(method, path, body);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ControlApiJson.EventStreamMediaType));
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ControlApiJson.MediaType, 0.5));
        using var response = await SendRawAsync(message, HttpCompletionOption.ResponseHeadersRead, ct, ct).ConfigureAwait(false);
        await ThrowIfFailedAsync(response, ct).ConfigureAwait(false);
        if (response.Content.Headers.ContentType?.MediaType != ControlApiJson.EventStreamMediaType)
        {
            return Deserialize<T>(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false), method, path);
        }
        using var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }
            var e = Deserialize<OperationEvent>(line, method, path);
            switch (e.Event)
            {
                case OperationEvent.Progress:
                    progress?.Report(new OperationProgress(e.Fraction, e.Message));
                    break;
                case OperationEvent.ResultEvent when e.Result is { } result:
                    return Deserialize<T>(result.GetRawText(), method, path);
                case OperationEvent.Error:
                    throw FromProblem(e.Problem ?? new ControlProblem(null, "Operation failed", 500, e.Message), path);
                default:
                    throw new CliException(ExitCodes.StationFailed, $"The station sent an unknown event '{e.Event}' on {method} {path}.");
            }
        }
        throw new CliException(ExitCodes.StationFailed,
            $"The station closed {method} {path} before sending a result (it may have restarted). Check 'acq status' and the journal: journalctl -u acquisition-station.");
    }

    private static HttpRequestMessage Build(HttpMethod method, string path, object? body)
    {
        var message = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        if (body is not null)
        {
            message.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), ControlApiJson.Options), Encoding.UTF8, ControlApiJson.MediaType);
        }
        return message;
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage message, HttpCompletionOption completion, CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            return await _http.SendAsync(message, completion, token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(ex);
        }
        catch (OperationCanceledException ex) when (!callerToken.IsCancellationRequested)
        {
            throw new CliException(ExitCodes.StationUnreachable,
                $"The station did not answer {message.Method} /{message.RequestUri} within {ShortCallTimeout.TotalSeconds:0} s on {_socketPath}. It may be busy or hung: check 'systemctl status acquisition-station'.",
                null, ex);
        }
    }

    private CliException Unreachable(HttpRequestException ex)
    {
        var socketError = (ex.InnerException as SocketException) ?? (ex.InnerException?.InnerException as SocketException);
        string why;
        if (!File.Exists(_socketPath) && !Directory.Exists(_socketPath))
        {
            why = $"There is no control socket at {_socketPath}. Is the station running (systemctl status acquisition-station)? Use --socket or $ACQ_SOCKET for another path.";
        }
        else if (socketError?.SocketErrorCode == SocketError.AccessDenied)
        {
            why = $"Permission denied on {_socketPath}. Your user must be in the group that owns the socket (ls -l {_socketPath}), or run acq with sudo -u.";
        }
        else if (socketError?.SocketErrorCode == SocketError.ConnectionRefused)
        {
            why = $"Nothing is listening on {_socketPath} (a stale socket: the station is not running). Start it: systemctl start acquisition-station.";
        }
        else
        {
            why = $"Cannot talk to the station on {_socketPath}: {ex.Message}";
        }
        return new CliException(ExitCodes.StationUnreachable, why, null, ex);
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var path = response.RequestMessage?.RequestUri is { } uri ? (uri.IsAbsoluteUri ? uri.PathAndQuery : "/" + uri.OriginalString) : "?";
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        ControlProblem? problem = null;
        if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType is ControlApiJson.ProblemMediaType or ControlApiJson.MediaType)
        {
            try
            {
                problem = JsonSerializer.Deserialize<ControlProblem>(text, ControlApiJson.Options);
                if (problem is { Title: null, Detail: null })
                {
                    // Not a problem document (e.g. {"error":"..."}): keep the body so its words reach the engineer.
                    problem = problem with { Title = response.ReasonPhrase, Detail = ErrorText(text) };
                }
            }
            catch (JsonException)
            {
                problem = null;
            }
        }
        var status = (int)response.StatusCode;
        problem ??= new ControlProblem(null, response.ReasonPhrase, status,
            status == 404 ? $"The station does not offer {path} (is its software older than this acq?)" : Truncate(text));
        problem = problem with { Status = problem.Status ?? status };
        throw FromProblem(problem, path);
    }

    private static CliException FromProblem(ControlProblem problem, string path)
    {
        var status = problem.Status ?? 500;
        var message = problem.Detail is { Length: > 0 } detail
            ? (problem.Title is { Length: > 0 } title && !detail.StartsWith(title, StringComparison.Ordinal) ? title + ": " + detail : detail)
            : problem.Title ?? $"HTTP {status.ToString(CultureInfo.InvariantCulture)} on {path}";
        if (status is >= 400 and < 500)
        {
            return new CliException(ExitCodes.Refused, "The station refused: " + message, problem);
        }
        return new CliException(ExitCodes.StationFailed, "The station failed: " + message, problem);
    }

    private static T Deserialize<T>(string text, HttpMethod method, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, ControlApiJson.Options)
                ?? throw new JsonException("the body is JSON null");
        }
        catch (JsonException ex)
        {
            throw new CliException(ExitCodes.StationFailed,
                $"The station's answer to {method} {path} is not what acq expects ({ex.Message}). Are acq and the station the same version?", null, ex);
        }
    }

    private static string ErrorText(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String)
            {
                return e.GetString()!;
            }
        }
        catch (JsonException)
        {
        }
        return Truncate(json);
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
