using System.Text;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// The distribution token flow end to end with the real registry: it answers 401 with a
/// <c>WWW-Authenticate: Bearer realm,service,scope</c> challenge; the station asks the realm for a token with its basic
/// credentials and retries; the registry verifies the token (RS256 under the test CA). The realm is a stub token
/// service that checks the basic credentials and grants exactly the scope asked for; the registry's own
/// verification of what the station sends back is the real check.
/// </summary>
[Collection("registry")]
public sealed class RegistryTokenRealmTests : RegistryTestBase
{
    private const string Repository = "realmtest/captures";
    private const string User = "station07";
    private const string Password = "realm-s3cret";
    private TestTokenIssuer _issuer = null!;
    private RegistryProxy _realm = null!;
    private int _tokensIssued;

    protected override async Task<RegistryProcess> StartRegistryAsync()
    {
        var dir = Path.Combine(Station.Root, "token-pki");
        Directory.CreateDirectory(dir);
        _issuer = new TestTokenIssuer(dir);
        // Nothing is forwarded upstream: every request to the realm is answered here.
        _realm = new RegistryProxy(new Uri("http://127.0.0.1:9"));
        _realm.Intercept = IssueToken;
        var registry = new RegistryProcess(topLevelExtra: _ => _issuer.RegistryAuthYaml(new Uri(_realm.Url, "/token").AbsoluteUri));
        await registry.StartAsync();
        return registry;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _realm.DisposeAsync();
        _issuer.Dispose();
    }

    private StubReply IssueToken(StubRequest r)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        if (!r.PathAndQuery.StartsWith("/token", StringComparison.Ordinal) || r.Headers.GetValueOrDefault("Authorization") != expected)
        {
            return StubReply.Error(401, "UNAUTHORIZED", "bad credentials");
        }
        var scope = ScopeOf(r.PathAndQuery);
        // "repository:<name>:<actions>"; a request without a scope (the /v2/ probe) gets a token granting nothing.
        var parts = scope?.Split(':') ?? [];
        var token = parts.Length == 3 && parts[0] == "repository" ? _issuer.Mint(parts[1], parts[2].Split(',')) : _issuer.Mint(Repository);
        Interlocked.Increment(ref _tokensIssued);
        return new StubReply(200, new Dictionary<string, string> { ["Content-Type"] = "application/json" }, Encoding.UTF8.GetBytes($$"""{"token":"{{token}}","expires_in":300}"""));
    }

    private static string? ScopeOf(string pathAndQuery)
    {
        var q = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        return q < 0 ? null : pathAndQuery[(q + 1)..].Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "scope").Select(p => Uri.UnescapeDataString(p[1])).FirstOrDefault();
    }

    private UplinkDestinationOptions Destination(string credentialsFile)
    {
        var d = UplinkRig.RegistryDestination("national", Registry.Url, Repository);
        d.BasicCredentialsFile = credentialsFile;
        return d;
    }

    [Fact]
    public async Task The_station_gets_a_push_token_from_the_realm_and_the_push_is_delivered_and_verified()
    {
        var package = await Station.SealAsync(400_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("registry.cred", $"{User}:{Password}"))));
        var enq = await rig.EnqueueAsync(package.Path);

        await rig.DrainAsync();

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.True(d.State == DeliveryState.Delivered, $"{d.State}: {d.Reason}");
        Assert.Equal(enq.OciManifestDigest, d.VerifiedDigest);
        Assert.Empty(await UplinkRig.VerifyOnServerAsync(rig.Registry("national").Client, package.CaptureId, enq.OciManifestDigest!));
        // It asked the realm for the scope the registry's challenge named (distribution lists the actions in no fixed
        // order), with its basic credentials.
        Assert.Contains(_realm.Requests.Select(r => ScopeOf(r.PathAndQuery)), scope => scope is not null
            && scope.StartsWith($"repository:{Repository}:", StringComparison.Ordinal)
            && scope[(scope.LastIndexOf(':') + 1)..].Split(',').Order().SequenceEqual(["pull", "push"]));
        Assert.All(_realm.Requests, r => Assert.Contains($"service={TestTokenIssuer.Service}", r.PathAndQuery, StringComparison.Ordinal));
        Assert.True(_tokensIssued > 0);
    }

    [Fact]
    public async Task Credentials_the_realm_refuses_keep_the_capture_queued_as_an_authentication_failure()
    {
        const string wrong = "not-the-realm-password";
        var package = await Station.SealAsync(200_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(WriteSecretFile("registry.cred", $"{User}:{wrong}"))));
        await rig.EnqueueAsync(package.Path);

        await rig.DrainAsync(maxAttempts: 3);

        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Uploading, d.State);
        Assert.Contains("authentication failed", d.Reason, StringComparison.Ordinal);
        Assert.Contains("401", d.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, d.Reason + d.ServerError, StringComparison.Ordinal);
        Assert.Equal(0, _tokensIssued);
        Assert.NotEmpty(_realm.Requests);
    }
}
