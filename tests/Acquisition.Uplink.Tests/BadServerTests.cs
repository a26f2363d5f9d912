using System.Text;

namespace Acquisition.Uplink.Tests;

/// <summary>Bad answers from a stub in front of the real registry: each ends in a retry or a Rejected state with a clear reason, never Delivered.</summary>
[Collection("registry")]
public sealed class BadServerTests : RegistryTestBase
{
    private RegistryProxy _proxy = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _proxy = new RegistryProxy(Registry.Url);
    }

    public override async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task<(UplinkRig Rig, string CaptureId)> RigWithOnePackageAsync(Action<UplinkOptions>? configure = null, UplinkDestinationOptions? destination = null)
    {
        var package = await Station.SealAsync(300_000);
        var options = UplinkRig.Options1(destination ?? UplinkRig.RegistryDestination("national", _proxy.Url));
        configure?.Invoke(options);
        var rig = new UplinkRig(Station, options);
        await rig.EnqueueAsync(package.Path);
        return (rig, package.CaptureId);
    }

    /// <summary>Runs a few attempts, advancing the scheduling clock over back-off.</summary>
    private static async Task<OutboxDelivery> AttemptsAsync(UplinkRig rig, int attempts)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await rig.Processor.NextDueAsync(CancellationToken.None) is { } due && due > rig.Clock.GetUtcNow())
            {
                rig.Clock.Advance(due - rig.Clock.GetUtcNow());
            }
            await rig.Processor.RunOnceAsync(CancellationToken.None);
        }
        return Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
    }

    private static bool IsManifestGet(StubRequest r) => r.Method == "GET" && r.PathAndQuery.Contains("/manifests/", StringComparison.Ordinal);

    [Fact]
    public async Task A_401_without_usable_credentials_keeps_the_capture_queued_never_rejected()
    {
        _proxy.Intercept = r => StubReply.Error(401, "UNAUTHORIZED", "authentication required", ("WWW-Authenticate", "Basic realm=\"registry\""));
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 3);
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.Equal(3, d.Attempts);
            Assert.Contains("authentication failed", d.Reason);
            Assert.Contains("401", d.Reason);
        }
    }

    [Fact]
    public async Task Bearer_token_flow_with_basic_credentials_from_a_private_file_delivers()
    {
        const string token = "tok-0123456789";
        _proxy.Intercept = r =>
        {
            if (r.PathAndQuery.StartsWith("/token", StringComparison.Ordinal))
            {
                var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("station07:s3cret:with:colons"));
                return r.Headers.GetValueOrDefault("Authorization") == expected && r.PathAndQuery.Contains("scope=repository%3Aacquisition%2Fcaptures%3Apull%2Cpush", StringComparison.Ordinal)
                    ? new StubReply(200, new Dictionary<string, string> { ["Content-Type"] = "application/json" }, Encoding.UTF8.GetBytes($$"""{"token":"{{token}}","expires_in":300}"""))
                    : StubReply.Error(401, "UNAUTHORIZED", "bad credentials");
            }
            return r.Headers.GetValueOrDefault("Authorization") == "Bearer " + token
                ? null
                : StubReply.Error(401, "UNAUTHORIZED", "token required",
                    ("WWW-Authenticate", $"Bearer realm=\"{_proxy.Url}token\",service=\"stub-registry\",scope=\"repository:acquisition/captures:pull,push\""));
        };
        var credentials = Path.Combine(Station.Root, "registry.cred");
        await File.WriteAllTextAsync(credentials, "station07:s3cret:with:colons\n");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var destination = UplinkRig.RegistryDestination("national", _proxy.Url);
        destination.BasicCredentialsFile = credentials;
        var (rig, id) = await RigWithOnePackageAsync(destination: destination);
        using (rig)
        {
            var d = await AttemptsAsync(rig, 1);
            Assert.Equal(DeliveryState.Delivered, d.State);
            Assert.Contains(_proxy.Requests, r => r.PathAndQuery.StartsWith("/token", StringComparison.Ordinal));
            Assert.Empty(await UplinkRig.VerifyOnServerAsync(new RegistryClient(new HttpClient(), Registry.Url, "acquisition/captures", TimeProvider.System), id, d.OciManifestDigest));
        }
    }

    [Fact]
    public async Task A_world_readable_credentials_file_is_refused_at_start()
    {
        var credentials = Path.Combine(Station.Root, "open.cred");
        await File.WriteAllTextAsync(credentials, "u:p\n");
        File.SetUnixFileMode(credentials, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var destination = UplinkRig.RegistryDestination("national", _proxy.Url);
        destination.BasicCredentialsFile = credentials;
        var ex = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => UplinkOptionsValidator.ThrowIfInvalid(UplinkRig.Options1(destination)));
        Assert.Contains("chmod 600", ex.Message);
        Assert.DoesNotContain("u:p", ex.Message);
    }

    [Fact]
    public async Task A_404_name_unknown_is_rejected_keeping_the_server_error()
    {
        _proxy.Intercept = r => r.Method == "POST" ? StubReply.Error(404, "NAME_UNKNOWN", "repository name not known to registry") : null;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 1);
            Assert.Equal(DeliveryState.Rejected, d.State);
            Assert.Contains("404", d.Reason);
            Assert.Contains("NAME_UNKNOWN", d.ServerError);
            Assert.Contains("repository name not known", d.ServerError);
        }
    }

    [Fact]
    public async Task A_413_is_rejected_with_the_server_body()
    {
        _proxy.Intercept = r => r.Method == "PATCH" ? StubReply.Error(413, "SIZE_INVALID", "blob too large for this registry") : null;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 1);
            Assert.Equal(DeliveryState.Rejected, d.State);
            Assert.Contains("413", d.Reason);
            Assert.Contains("blob too large", d.ServerError);
        }
    }

    [Fact]
    public async Task A_404_blob_upload_unknown_restarts_the_blob_and_delivers()
    {
        var failed = 0;
        _proxy.Intercept = r => r.Method == "PATCH" && Interlocked.Increment(ref failed) == 1 ? StubReply.Error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry") : null;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 1);
            Assert.Equal(DeliveryState.Delivered, d.State);
            Assert.True(_proxy.Requests.Count(r => r.Method == "POST") > d.Attempts, "a new session was started for the lost one");
        }
    }

    [Fact]
    public async Task A_416_on_a_chunk_restarts_the_blob_and_delivers()
    {
        var failed = 0;
        _proxy.Intercept = r => r.Method == "PATCH" && Interlocked.Increment(ref failed) == 1
            ? StubReply.Error(416, "BLOB_UPLOAD_INVALID", "requested range not satisfiable")
            : null;
        var (rig, id) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 1);
            Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
            Assert.True(_proxy.Requests.Count(r => r.Method == "POST") > d.Attempts, "a new session was started for the lost one");
            using var direct = new HttpClient();
            Assert.Empty(await UplinkRig.VerifyOnServerAsync(new RegistryClient(direct, Registry.Url, "acquisition/captures", TimeProvider.System), id, d.OciManifestDigest));
        }
    }

    [Fact]
    public async Task A_wrong_manifest_on_read_back_is_never_delivered()
    {
        _proxy.MutateBody = (r, body) => IsManifestGet(r) ? Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("9mm Luger", "9mm Lugar")) : body;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 2);
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.Contains("expected " + d.OciManifestDigest, d.Reason);
            Assert.Null(d.VerifiedDigest);
        }
    }

    [Fact]
    public async Task A_wrong_blob_digest_from_the_server_restarts_that_blob_and_is_never_delivered()
    {
        _proxy.Intercept = r => r.Method == "PUT" && r.PathAndQuery.Contains("digest=", StringComparison.Ordinal)
            ? new StubReply(201, new Dictionary<string, string> { ["Docker-Content-Digest"] = "sha256:" + new string('0', 64) })
            : null;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 2);
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.Contains("stored blob sha256:0000", d.Reason);
        }
    }

    [Fact]
    public async Task A_truncated_answer_is_retried_not_delivered()
    {
        _proxy.Intercept = r => IsManifestGet(r) ? new StubReply(200, new Dictionary<string, string> { ["Content-Type"] = OciMediaTypes.ImageManifest }, Encoding.UTF8.GetBytes("{\"schemaVersion\":2,"), DeclaredLength: 4000) : null;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var d = await AttemptsAsync(rig, 2);
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.Contains("GET manifest", d.Reason);
            Assert.Equal(2, d.Attempts);
        }
    }

    [Fact]
    public async Task A_slow_loris_answer_times_out_and_is_retried()
    {
        _proxy.Intercept = r => IsManifestGet(r) ? new StubReply(200, new Dictionary<string, string> { ["Content-Type"] = OciMediaTypes.ImageManifest }, Encoding.UTF8.GetBytes("{\"schemaVersion\":2}"), DeclaredLength: 2000, Stall: true) : null;
        var (rig, _) = await RigWithOnePackageAsync(o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        using (rig)
        {
            var d = await AttemptsAsync(rig, 1);
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.Contains("timed out", d.Reason);
        }
    }

    [Fact]
    public async Task A_429_honours_retry_after_and_5xx_is_retried()
    {
        var posts = 0;
        _proxy.Intercept = r => r.Method == "POST" ? Interlocked.Increment(ref posts) switch
        {
            1 => StubReply.Error(429, "TOOMANYREQUESTS", "slow down", ("Retry-After", "600")),
            2 => StubReply.Error(503, "UNAVAILABLE", "maintenance"),
            _ => null,
        } : null;
        var (rig, _) = await RigWithOnePackageAsync();
        using (rig)
        {
            var start = rig.Clock.GetUtcNow();
            await rig.Processor.RunOnceAsync(CancellationToken.None);
            var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.True(d.NextAttemptAt >= start + TimeSpan.FromSeconds(600), $"next attempt {d.NextAttemptAt} should honour Retry-After 600 s");
            Assert.Contains("429", d.Reason);
            d = await AttemptsAsync(rig, 1);
            Assert.Contains("503", d.Reason);
            d = await AttemptsAsync(rig, 1);
            Assert.Equal(DeliveryState.Delivered, d.State);
        }
    }
}
