using System.Net;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// The real registry with distribution's token auth: it accepts only RS256 JWTs issued under a CA it trusts, granting
/// the repository actions the request needs. The station reads such a token from a private file (BearerTokenFile)
/// and sends it as "Authorization: Bearer"; the registry's own verification is the check that the header is right.
/// </summary>
[Collection("registry")]
public sealed class RegistryTokenAuthTests : RegistryTestBase
{
    private const string Repository = "tokentest/captures";
    private TestTokenIssuer _issuer = null!;

    protected override async Task<RegistryProcess> StartRegistryAsync()
    {
        var dir = Path.Combine(Station.Root, "token-pki");
        Directory.CreateDirectory(dir);
        _issuer = new TestTokenIssuer(dir);
        // The realm is the registry itself, which has no /token: a client holding a bad token gets no new one there.
        var registry = new RegistryProcess(topLevelExtra: port => _issuer.RegistryAuthYaml($"http://127.0.0.1:{port}/token"));
        await registry.StartAsync();
        return registry;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _issuer.Dispose();
    }

    private UplinkDestinationOptions Destination(string tokenFile)
    {
        var d = UplinkRig.RegistryDestination("national", Registry.Url, Repository);
        d.BearerTokenFile = tokenFile;
        return d;
    }

    [Fact]
    public async Task The_registry_refuses_a_request_without_a_token()
    {
        using var http = new HttpClient();
        using var res = await http.GetAsync(new Uri(Registry.Url, $"/v2/{Repository}/tags/list")).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.Unauthorized, res.StatusCode);
        var challenge = Assert.Single(res.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.Contains($"service=\"{TestTokenIssuer.Service}\"", challenge.Parameter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_push_with_the_token_from_a_private_bearer_token_file_is_delivered_and_verified()
    {
        var package = await Station.SealAsync(400_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("national.token", _issuer.Mint(Repository, "pull", "push")))));
        var enq = await rig.EnqueueAsync(package.Path);

        await rig.DrainAsync();

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Equal(enq.OciManifestDigest, d.VerifiedDigest);
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(rig.Registry("national").Client, package.CaptureId, enq.OciManifestDigest!));
    }

    [Fact]
    public async Task A_token_without_push_rights_keeps_the_capture_queued_as_an_authentication_failure_never_rejected()
    {
        var token = _issuer.Mint(Repository, "pull");
        var package = await Station.SealAsync(200_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("pull-only.token", token))));
        await rig.EnqueueAsync(package.Path);

        await rig.DrainAsync(maxAttempts: 3);

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Uploading, d.State);
        Assert.Contains("authentication failed", d.Reason, StringComparison.Ordinal);
        Assert.Contains("401", d.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(token, d.Reason + d.ServerError, StringComparison.Ordinal);
        Assert.Empty(await rig.Registry("national").Client.ListTagsAsync(CancellationToken.None));
    }
}
