using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Acquisition.Uplink;

/// <summary>
/// OCI 1.1 referrers (distribution spec 1.1, "Listing Referrers"): a registry with the referrers API lists a manifest
/// under its subject by itself; one without it (CNCF distribution 2.x, the registry the tests run) is given the image
/// index under the fallback tag <c>sha256-&lt;hex&gt;</c> that clients read instead. Both are kept to the contract
/// in docs/uplink.md, so a correlation server finds the corrections of a capture either way.
/// </summary>
public sealed partial class RegistryClient
{
    /// <summary>Makes sure the registry lists the pushed <paramref name="artifact"/> among the referrers of its subject. Idempotent.</summary>
    public async Task LinkReferrerAsync(OciArtifact artifact, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        var subject = artifact.Subject ?? throw new ArgumentException($"{artifact.Tag} has no subject; only referrers are linked.", nameof(artifact));
        var native = await GetReferrersIndexAsync(subject.Digest, ct).ConfigureAwait(false);
        if (native is not null)
        {
            if (Descriptors(native).Any(d => d.Digest == artifact.ManifestDigest))
            {
                return;
            }
            throw new UplinkFailureException(UplinkFailureKind.Transient, $"the registry's referrers API does not list {artifact.Tag} ({artifact.ManifestDigest}) under {subject.Digest} yet");
        }
        var tag = OciMediaTypes.ReferrersFallbackTag(subject.Digest);
        var index = await GetIndexAsync(tag, ct).ConfigureAwait(false) is { } bytes
            ? JsonNode.Parse(bytes)?.AsObject() ?? throw new UplinkFailureException(UplinkFailureKind.Transient, $"the referrers index {tag} is empty")
            : new JsonObject { ["schemaVersion"] = 2, ["mediaType"] = OciMediaTypes.ImageIndex, ["manifests"] = new JsonArray() };
        var manifests = index["manifests"] as JsonArray ?? throw new UplinkFailureException(UplinkFailureKind.Transient, $"the referrers index {tag} has no manifests array");
        if (manifests.Any(m => m?["digest"]?.GetValue<string>() == artifact.ManifestDigest))
        {
            return;
        }
        var descriptor = new JsonObject
        {
            ["mediaType"] = OciMediaTypes.ImageManifest,
            ["digest"] = artifact.ManifestDigest,
            ["size"] = artifact.ManifestBytes.Length,
            ["artifactType"] = artifact.ArtifactType,
        };
        using (var doc = JsonDocument.Parse(artifact.ManifestBytes))
        {
            if (doc.RootElement.TryGetProperty("annotations", out var a))
            {
                descriptor["annotations"] = JsonNode.Parse(a.GetRawText());
            }
        }
        manifests.Add(descriptor);
        using var req = new HttpRequestMessage(HttpMethod.Put, V2("manifests/" + tag));
        req.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(index));
        req.Content.Headers.ContentType = new MediaTypeHeaderValue(OciMediaTypes.ImageIndex);
        using var res = await SendAsync(req, "PUT referrers index", ct).ConfigureAwait(false);
        await EnsureAsync(res, "PUT referrers index " + tag, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The referrers of <paramref name="subjectDigest"/>, optionally only those of <paramref name="artifactType"/>: from
    /// the referrers API when the registry has it, else from the fallback tag. What a correlation server does to find
    /// the corrections of a capture.
    /// </summary>
    public async Task<IReadOnlyList<OciReferrer>> ListReferrersAsync(string subjectDigest, string? artifactType, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subjectDigest);
        var index = await GetReferrersIndexAsync(subjectDigest, ct).ConfigureAwait(false)
            ?? await GetIndexAsync(OciMediaTypes.ReferrersFallbackTag(subjectDigest), ct).ConfigureAwait(false);
        if (index is null)
        {
            return [];
        }
        return [.. Descriptors(index).Where(d => artifactType is null || d.ArtifactType == artifactType)];
    }

    private static List<OciReferrer> Descriptors(byte[] index)
    {
        using var doc = JsonDocument.Parse(index);
        var list = new List<OciReferrer>();
        if (!doc.RootElement.TryGetProperty("manifests", out var manifests) || manifests.ValueKind != JsonValueKind.Array)
        {
            return list;
        }
        foreach (var m in manifests.EnumerateArray())
        {
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            if (m.TryGetProperty("annotations", out var a) && a.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in a.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
                {
                    annotations[p.Name] = p.Value.GetString()!;
                }
            }
            list.Add(new OciReferrer(m.GetProperty("digest").GetString()!, m.GetProperty("size").GetInt64(),
                m.TryGetProperty("artifactType", out var t) ? t.GetString() : null, annotations));
        }
        return list;
    }

    /// <summary>GET /v2/&lt;name&gt;/referrers/&lt;digest&gt;; null when the registry has no referrers API (404).</summary>
    private async Task<byte[]?> GetReferrersIndexAsync(string subjectDigest, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, V2("referrers/" + subjectDigest));
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciMediaTypes.ImageIndex));
        using var res = await SendAsync(req, "GET referrers", ct).ConfigureAwait(false);
        if (res.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureAsync(res, "GET referrers " + subjectDigest, ct).ConfigureAwait(false);
        var isIndex = res.Content.Headers.ContentType?.MediaType == OciMediaTypes.ImageIndex;
        return isIndex ? await res.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false) : null;
    }

    /// <summary>The image index stored under <paramref name="tag"/>, or null when there is none.</summary>
    private async Task<byte[]?> GetIndexAsync(string tag, CancellationToken ct)
    {
        using var req = new HttpRequestMessage(HttpMethod.Get, V2("manifests/" + tag));
        req.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(OciMediaTypes.ImageIndex));
        using var res = await SendAsync(req, "GET referrers index", ct).ConfigureAwait(false);
        if (res.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        await EnsureAsync(res, "GET referrers index " + tag, ct).ConfigureAwait(false);
        return await res.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
    }
}
