using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// The real registry with distribution's htpasswd auth (it answers 401 with a Basic challenge and checks the password
/// against a bcrypt hash). The station reads "user:password" from its private BasicCredentialsFile; the registry's
/// own check is what proves the header is right. The htpasswd file is generated here: distribution accepts only
/// bcrypt entries, `openssl passwd` cannot make them and `htpasswd` (apache2-utils) is not a dependency of the suite.
/// </summary>
[Collection("registry")]
public sealed class RegistryBasicAuthTests : RegistryTestBase
{
    private const string Repository = "basictest/captures";
    private const string User = "station07";
    // A colon inside the password: the file's "user:password" splits at the first colon only.
    private const string Password = "c0rrect:horse-battery";

    protected override async Task<RegistryProcess> StartRegistryAsync()
    {
        var htpasswd = Path.Combine(Station.Root, "htpasswd");
        // Work factor 5 (the minimum Go's bcrypt accepts is 4) keeps the registry's per-request check cheap on a loaded machine.
        await File.WriteAllTextAsync(htpasswd, $"{User}:{BCrypt.Net.BCrypt.HashPassword(Password, workFactor: 5)}\n");
        var registry = new RegistryProcess(topLevelExtra: _ => $"""
            auth:
              htpasswd:
                realm: acquisition-test
                path: {htpasswd}
            """);
        await registry.StartAsync();
        return registry;
    }

    private UplinkDestinationOptions Destination(string credentialsFile)
    {
        var d = UplinkRig.RegistryDestination("national", Registry.Url, Repository);
        d.BasicCredentialsFile = credentialsFile;
        return d;
    }

    private static string BasicToken(string password) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{password}"));

    /// <summary>Asks the registry directly, with or without the right credentials (not through the station's stack).</summary>
    private async Task<HttpResponseMessage> GetAsync(string path, bool withCredentials)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Registry.Url, path));
        request.Headers.Accept.ParseAdd(OciMediaTypes.ImageManifest);
        if (withCredentials)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", BasicToken(Password));
        }
        return await http.SendAsync(request).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task A_push_with_the_stations_private_basic_credentials_file_is_delivered_and_verified()
    {
        var package = await Station.SealAsync(400_000);
        var log = new CapturingLogger();
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("registry.cred", $"{User}:{Password}"))), logger: log);
        var enq = await rig.EnqueueAsync(package.Path);

        await rig.DrainAsync();

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Equal(enq.OciManifestDigest, d.VerifiedDigest);
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(rig.Registry("national").Client, package.CaptureId, enq.OciManifestDigest!));
        // The registry really enforced auth: without credentials the same manifest is refused with a Basic challenge.
        using var anonymous = await GetAsync($"/v2/{Repository}/manifests/{package.CaptureId}", withCredentials: false);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", Assert.Single(anonymous.Headers.WwwAuthenticate).Scheme);
        using var authorised = await GetAsync($"/v2/{Repository}/manifests/{package.CaptureId}", withCredentials: true);
        Assert.Equal(HttpStatusCode.OK, authorised.StatusCode);
        Assert.Equal(enq.OciManifestDigest, authorised.Headers.GetValues("Docker-Content-Digest").Single());
        Assert.Contains(log.Lines, l => l.Contains("delivered", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.Contains(Password, StringComparison.Ordinal) || l.Contains(BasicToken(Password), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrong_credentials_keep_the_capture_queued_as_an_authentication_failure_until_the_file_is_fixed()
    {
        const string wrong = "wr0ng:password-not-in-htpasswd";
        var package = await Station.SealAsync(200_000);
        var log = new CapturingLogger();
        using (var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("registry.cred", $"{User}:{wrong}"))), logger: log))
        {
            await rig.EnqueueAsync(package.Path);

            await rig.DrainAsync(maxAttempts: 3);

            var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
            Assert.Equal(DeliveryState.Uploading, d.State);
            Assert.True(d.Attempts >= 2, $"retried: {d.Attempts} attempts");
            Assert.Contains("authentication failed (check the credentials file)", d.Reason, StringComparison.Ordinal);
            Assert.Contains("401", d.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain(wrong, d.Reason + d.ServerError, StringComparison.Ordinal);
            Assert.DoesNotContain(Password, d.Reason + d.ServerError, StringComparison.Ordinal);
            // The journal says why the capture waits, and never what the secret was.
            Assert.Contains(log.Lines, l => l.Contains("authentication failed", StringComparison.Ordinal));
            Assert.DoesNotContain(log.Lines, l => l.Contains(wrong, StringComparison.Ordinal) || l.Contains(BasicToken(wrong), StringComparison.Ordinal));
        }
        using (var tags = await GetAsync($"/v2/{Repository}/tags/list", withCredentials: true))
        {
            // Nothing landed: distribution answers NAME_UNKNOWN for a repository that never received a push.
            Assert.Equal(HttpStatusCode.NotFound, tags.StatusCode);
        }

        // The technician corrects the file and the station restarts (credentials are read at start): the same queued
        // capture is delivered, nothing was given up.
        using var fixedRig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("registry.cred", $"{User}:{Password}"))));
        await fixedRig.DrainAsync();
        var delivered = Assert.Single(await fixedRig.Outbox.ListAsync(CancellationToken.None));
        Assert.True(delivered.State == DeliveryState.Delivered, $"{delivered.State}: {delivered.Reason}");
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(fixedRig.Registry("national").Client, package.CaptureId, delivered.VerifiedDigest!));
    }
}
