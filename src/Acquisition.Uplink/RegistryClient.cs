using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Acquisition.Uplink;

/// <summary>
/// The few OCI distribution calls the uplink needs, each mapping the server's answer to success or an
/// <see cref="UplinkFailureException"/> of the right kind. Upload URLs are absolute strings so they can be stored.
/// </summary>
public sealed partial class RegistryClient
{
    private const int MaxErrorBody = 16 * 1024;
    private readonly HttpClient _http;
    private readonly long? _bandwidthLimit;
    private readonly TimeProvider _time;

    private readonly TimeSpan _bodyTimeout;
    private readonly string? _caBundlePath;

    /// <param name="bodyTimeout">Limit for reading an answer's body once its head arrived (a slow-loris answer);
    /// the resilience pipeline's per-request timeout ends at the head. Default 2 minutes.</param>
    /// <param name="caBundlePath">The pinned CA bundle the HttpClient verifies against, or null for the system trust
    /// store: named in the error when the registry's certificate is not trusted, so the technician knows where the CA
    /// has to go.</param>
    public RegistryClient(HttpClient http, Uri registry, string repository, TimeProvider time, long? bandwidthLimitBytesPerSecond = null, TimeSpan? bodyTimeout = null,
        string? caBundlePath = null)
    {
        _caBundlePath = caBundlePath;
        _http = http;
        _bodyTimeout = bodyTimeout ?? TimeSpan.FromMinutes(2);
        Registry = registry;
        Repository = repository;
        _time = time;
        _bandwidthLimit = bandwidthLimitBytesPerSecond;
    }

    public Uri Registry { get; }
    public string Repository { get; }

    private Uri V2(string path) => new(Registry, $"/v2/{Repository}/{path}");

    public async Task<bool> BlobExistsAsync(string digest, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Head, V2("blobs/" + digest));
        using var res = await SendAsync(req, "HEAD blob", ct).ConfigureAwait(false);
        if (res.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        await EnsureAsync(res, "HEAD blob " + digest, ct).ConfigureAwait(false);
        return true;
    }

    public async Task<string> StartUploadAsync(CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, V2("blobs/uploads/"));
        req.Content = new ByteArrayContent([]);
        using var res = await SendAsync(req, "POST upload", ct).ConfigureAwait(false);
        await EnsureAsync(res, "POST blob upload", ct).ConfigureAwait(false);
        return Location(res, "POST blob upload");
    }

    /// <summary>The offset the server holds for an open session, or null when the session is gone.</summary>
    public async Task<(string Url, long Offset)?> GetUploadStatusAsync(string uploadUrl, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, uploadUrl);
        using var res = await SendAsync(req, "GET upload status", ct).ConfigureAwait(false);
        if (res.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        try
        {
            await EnsureAsync(res, "GET upload status", ct).ConfigureAwait(false);
        }
        catch (UplinkFailureException ex) when (ex.Kind == UplinkFailureKind.SessionLost)
        {
            return null;
        }
        var url = res.Headers.Location is null ? uploadUrl : Location(res, "GET upload status");
        return (url, NextOffset(res));
    }

    /// <summary>Sends one chunk at <paramref name="offset"/>; returns the new session URL and confirmed offset.</summary>
    public async Task<(string Url, long Offset)> PatchChunkAsync(string uploadUrl, long offset, ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Patch, uploadUrl);
        req.Content = new ThrottledContent(chunk, _bandwidthLimit, _time);
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        req.Content.Headers.TryAddWithoutValidation("Content-Range", string.Create(CultureInfo.InvariantCulture, $"{offset}-{offset + chunk.Length - 1}"));
        using var res = await SendAsync(req, "PATCH chunk", ct).ConfigureAwait(false);
        await EnsureAsync(res, "PATCH blob chunk", ct).ConfigureAwait(false);
        var confirmed = NextOffset(res);
        if (confirmed != offset + chunk.Length)
        {
            throw new UplinkFailureException(UplinkFailureKind.SessionLost, $"the server confirmed offset {confirmed} after a chunk ending at {offset + chunk.Length}");
        }
        return (Location(res, "PATCH blob chunk"), confirmed);
    }

    public async Task CompleteUploadAsync(string uploadUrl, string digest, CancellationToken ct)
    {
        var sep = uploadUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var req = new HttpRequestMessage(HttpMethod.Put, uploadUrl + sep + "digest=" + Uri.EscapeDataString(digest));
        req.Content = new ByteArrayContent([]);
        req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var res = await SendAsync(req, "PUT blob", ct).ConfigureAwait(false);
        await EnsureAsync(res, "PUT blob " + digest, ct).ConfigureAwait(false);
        var echoed = res.Headers.TryGetValues("Docker-Content-Digest", out var v) ? v.FirstOrDefault() : null;
        if (echoed is not null && echoed != digest)
        {
            throw new UplinkFailureException(UplinkFailureKind.SessionLost, $"the server stored blob {echoed}, expected {digest}");
        }
    }

    /// <summary>PUTs the manifest under <paramref name="tag"/>; returns the digest the server reports.</summary>
    public async Task<string?> PutManifestAsync(string tag, byte[] manifest, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Put, V2("manifests/" + tag));
        req.Content = new ByteArrayContent(manifest);
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageManifest);
        using var res = await SendAsync(req, "PUT manifest", ct).ConfigureAwait(false);
        await EnsureAsync(res, "PUT manifest " + tag, ct).ConfigureAwait(false);
        return res.Headers.TryGetValues("Docker-Content-Digest", out var v) ? v.FirstOrDefault() : null;
    }

    /// <summary>The manifest stored under a tag or digest, or null when there is none.</summary>
    public async Task<byte[]?> GetManifestAsync(string reference, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, V2("manifests/" + reference));
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciMediaTypes.ImageManifest));
        using var res = await SendAsync(req, "GET manifest", ct).ConfigureAwait(false);
        if (res.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureAsync(res, "GET manifest " + reference, ct).ConfigureAwait(false);
        var body = await res.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
        if (res.Content.Headers.ContentLength is { } len && len != body.Length)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"the manifest read back was truncated: {body.Length} of {len} bytes");
        }
        return body;
    }

    public async Task<byte[]> GetBlobAsync(string digest, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, V2("blobs/" + digest));
        using var res = await SendAsync(req, "GET blob", ct).ConfigureAwait(false);
        await EnsureAsync(res, "GET blob " + digest, ct).ConfigureAwait(false);
        return await res.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, V2("tags/list"));
        using var res = await SendAsync(req, "GET tags", ct).ConfigureAwait(false);
        if (res.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        await EnsureAsync(res, "GET tags/list", ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(await res.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
        return doc.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
            ? tags.EnumerateArray().Select(t => t.GetString()!).ToArray()
            : [];
    }

    /// <summary>Reads the manifest back by tag and returns the SHA-256 digest of the bytes the server holds.</summary>
    public async Task<string> ReadBackDigestAsync(string tag, CancellationToken ct)
    {
        var bytes = await GetManifestAsync(tag, ct).ConfigureAwait(false)
            ?? throw new UplinkFailureException(UplinkFailureKind.Transient, $"the manifest for {tag} is not on the server after the PUT");
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage req, string what, CancellationToken ct)
    {
        try
        {
            var res = await _http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            using var timeout = new CancellationTokenSource(_bodyTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
            try
            {
                await res.Content.LoadIntoBufferAsync(linked.Token).ConfigureAwait(false);
            }
            catch
            {
                res.Dispose();
                throw;
            }
            return res;
        }
        catch (HttpRequestException ex)
        {
            // The outer message is generic ("an error occurred while sending"); the inner ones say TLS, DNS, refused...
            var detail = string.Join(": ", Causes(ex).Select(e => e.Message).Distinct());
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"{what} failed: {detail}{TrustHint(ex)}", inner: ex);
        }
        catch (Polly.Timeout.TimeoutRejectedException ex)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"{what} timed out: {ex.Message}", inner: ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"{what} timed out", inner: ex);
        }
        catch (IOException ex)
        {
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"{what} failed: {ex.Message}", inner: ex);
        }
    }

    /// <summary>What to do when the TLS handshake failed on the registry's certificate (kept queued: fixable on site).</summary>
    private string TrustHint(Exception ex)
    {
        var tls = Causes(ex).OfType<System.Security.Authentication.AuthenticationException>().FirstOrDefault();
        if (tls is null || !tls.Message.Contains("remote certificate", StringComparison.OrdinalIgnoreCase))
        {
            return "";
        }
        return _caBundlePath is null
            ? $". The certificate of {Registry.Host} is not trusted by the system trust store: add the CA that issued it to the system trust store (on Debian: copy it to /usr/local/share/ca-certificates/ and run update-ca-certificates), or set CaBundlePath of this destination to a PEM file holding that CA; check also that the URL names the host the certificate was issued for"
            : $". The certificate of {Registry.Host} does not chain to a CA in CaBundlePath '{_caBundlePath}': put the CA that issued it into that PEM file, or leave CaBundlePath empty to use the system trust store; check also that the URL names the host the certificate was issued for";
    }

    private static IEnumerable<Exception> Causes(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private static string Location(HttpResponseMessage res, string what)
    {
        var loc = res.Headers.Location ?? throw new UplinkFailureException(UplinkFailureKind.Transient, $"{what}: the server gave no Location header");
        var request = res.RequestMessage?.RequestUri ?? throw new InvalidOperationException("response without request");
        return (loc.IsAbsoluteUri ? loc : new Uri(request, loc)).AbsoluteUri;
    }

    // Distribution reports "0-<last byte>"; "0-0" is also its answer for an empty session, and a chunk that then
    // does not fit is answered 416, which restarts the blob.
    private static long NextOffset(HttpResponseMessage res)
    {
        if (!res.Headers.TryGetValues("Range", out var values))
        {
            return 0;
        }
        var range = values.First();
        var dash = range.LastIndexOf('-');
        if (dash < 0 || !long.TryParse(range[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end))
        {
            throw new UplinkFailureException(UplinkFailureKind.SessionLost, $"the server sent an unreadable Range header '{range}'");
        }
        return end == 0 ? 0 : end + 1;
    }

    private async Task EnsureAsync(HttpResponseMessage res, string what, CancellationToken ct)
    {
        if (res.IsSuccessStatusCode)
        {
            return;
        }
        string body;
        try
        {
            var bytes = await res.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            body = Encoding.UTF8.GetString(bytes, 0, Math.Min(bytes.Length, MaxErrorBody));
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            body = "";
        }
        var code = ErrorCode(body);
        var status = res.StatusCode;
        var message = $"{what}: HTTP {(int)status} {status}{(code is null ? "" : " " + code)}";
        var kind = (int)status switch
        {
            401 => UplinkFailureKind.Authentication,
            416 => UplinkFailureKind.SessionLost,
            404 when code is "BLOB_UPLOAD_UNKNOWN" or "BLOB_UPLOAD_INVALID" => UplinkFailureKind.SessionLost,
            400 when code is "BLOB_UPLOAD_INVALID" or "DIGEST_INVALID" && what.StartsWith("PUT blob", StringComparison.Ordinal) => UplinkFailureKind.SessionLost,
            408 or 429 or >= 500 => UplinkFailureKind.Transient,
            _ => UplinkFailureKind.Rejected,
        };
        TimeSpan? retryAfter = res.Headers.RetryAfter switch
        {
            { Delta: { } d } => d,
            { Date: { } date } => date - _time.GetUtcNow(),
            _ => null,
        };
        throw new UplinkFailureException(kind, message, status, body.Length == 0 ? null : body, retryAfter);
    }

    private static string? ErrorCode(string body)
    {
        if (body.Length == 0 || body[0] != '{')
        {
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0
                && errors[0].TryGetProperty("code", out var c) ? c.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
