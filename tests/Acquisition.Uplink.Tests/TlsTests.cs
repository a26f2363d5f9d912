using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// HTTPS against the real registry: a pinned CA bundle, the system trust store (in a child process whose store is a
/// test CA through SSL_CERT_FILE / SSL_CERT_DIR, never the machine's), and a client certificate the registry requires
/// (mTLS).
/// </summary>
[Collection("registry")]
public sealed class TlsTests : RegistryTestBase
{
    private string _dir = null!;

    protected override async Task<RegistryProcess> StartRegistryAsync()
    {
        _dir = Path.Combine(Station.Root, "pki");
        Directory.CreateDirectory(_dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=Acquisition Test CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        await File.WriteAllTextAsync(Path.Combine(_dir, "ca.pem"), ca.ExportCertificatePem());

        Issue(ca, "CN=127.0.0.1", "server", server: true);
        // A CA the registry's certificate does not come from: a system store holding only this one lacks the right CA.
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherReq = new CertificateRequest("CN=Some Other CA", otherKey, HashAlgorithmName.SHA256);
        otherReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var other = otherReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        await File.WriteAllTextAsync(Path.Combine(_dir, "other-ca.pem"), other.ExportCertificatePem());
        Directory.CreateDirectory(Path.Combine(_dir, "empty-cert-dir"));
        Issue(ca, "CN=station-07", "client", server: false);
        File.SetUnixFileMode(Path.Combine(_dir, "client.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var registry = new RegistryProcess(httpExtra: $"""
              tls:
                certificate: {Path.Combine(_dir, "server.pem")}
                key: {Path.Combine(_dir, "server.key")}
                clientcas:
                  - {Path.Combine(_dir, "ca.pem")}
            """, scheme: "https");
        await registry.StartAsync();
        return registry;
    }

    private void Issue(X509Certificate2 ca, string subject, string name, bool server)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (server)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            req.CertificateExtensions.Add(san.Build());
        }
        using var cert = req.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(_dir, name + ".pem"), cert.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, name + ".key"), key.ExportPkcs8PrivateKeyPem());
    }

    private UplinkDestinationOptions Destination(bool pin, bool clientCert)
    {
        var d = UplinkRig.RegistryDestination("national", Registry.Url);
        d.AllowPlainHttp = false;
        d.CaBundlePath = pin ? Path.Combine(_dir, "ca.pem") : null;
        d.ClientCertificatePath = clientCert ? Path.Combine(_dir, "client.pem") : null;
        d.ClientKeyPath = clientCert ? Path.Combine(_dir, "client.key") : null;
        return d;
    }

    [Fact]
    public async Task Pinned_ca_and_client_certificate_deliver_over_https()
    {
        var p = await Station.SealAsync(200_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(pin: true, clientCert: true)));
        await rig.EnqueueAsync(p.Path);
        await rig.DrainAsync(5);
        Assert.Equal(DeliveryState.Delivered, Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None)).State);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Without_the_pinned_ca_or_the_client_certificate_nothing_is_delivered_and_the_capture_stays_queued(bool pin, bool clientCert)
    {
        var p = await Station.SealAsync(50_000);
        using var rig = new UplinkRig(Station, UplinkRig.Options1(Destination(pin, clientCert)));
        await rig.EnqueueAsync(p.Path);
        await rig.DrainAsync(4);
        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Uploading, d.State);
        Assert.Equal(2, d.Attempts);
        Assert.Contains("SSL", d.Reason, StringComparison.OrdinalIgnoreCase);
        if (!pin)
        {
            // The machine's own trust store does not hold the test CA: the reason says where the CA has to go.
            Assert.Contains("is not trusted by the system trust store", d.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_pinned_bundle_without_the_registrys_ca_keeps_the_capture_queued_and_names_the_bundle()
    {
        var p = await Station.SealAsync(50_000);
        var destination = Destination(pin: true, clientCert: true);
        destination.CaBundlePath = Path.Combine(_dir, "other-ca.pem");
        using var rig = new UplinkRig(Station, UplinkRig.Options1(destination));
        await rig.EnqueueAsync(p.Path);
        await rig.DrainAsync(2);
        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Uploading, d.State);
        Assert.Contains($"does not chain to a CA in CaBundlePath '{destination.CaBundlePath}'", d.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_no_pinned_bundle_the_system_trust_store_verifies_the_registry_and_one_with_its_ca_delivers()
    {
        var p = await Station.SealAsync(60_000);
        var (state, reason) = await RunSystemTrustChildAsync(Path.Combine(_dir, "ca.pem"));
        Assert.True(state == "Delivered", $"{state}: {reason}");
        // On the registry under its tag, read back over a pinned connection.
        using var http = RegistryHttpClientFactory.Create(Destination(pin: true, clientCert: true), UplinkRig.Options1(Destination(pin: true, clientCert: true)), TimeProvider.System);
        var tags = await new RegistryClient(http, Registry.Url, "trust/captures", TimeProvider.System).ListTagsAsync(CancellationToken.None);
        Assert.Contains(p.CaptureId, tags);
    }

    [Fact]
    public async Task A_system_trust_store_without_the_registrys_ca_keeps_the_capture_queued_and_says_where_the_ca_goes()
    {
        await Station.SealAsync(60_000);
        var (state, reason) = await RunSystemTrustChildAsync(Path.Combine(_dir, "other-ca.pem"));
        Assert.Equal("Uploading", state); // kept queued for the next attempt, never Rejected: fixable on site
        Assert.Contains("is not trusted by the system trust store", reason, StringComparison.Ordinal);
        Assert.Contains("update-ca-certificates", reason, StringComparison.Ordinal);
        Assert.Contains("CaBundlePath", reason, StringComparison.Ordinal);
    }

    /// <summary>Runs <see cref="TrustStoreHarness"/> with a system trust store that holds only <paramref name="caFile"/>.</summary>
    private async Task<(string State, string Reason)> RunSystemTrustChildAsync(string caFile)
    {
        var psi = new ProcessStartInfo("dotnet", [typeof(TrustStoreHarness).Assembly.Location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment[CrashHarness.HarnessVariable] = TrustStoreHarness.Mode;
        psi.Environment["ACQ_DATA"] = Station.Root;
        psi.Environment["ACQ_REGISTRY"] = Registry.Url.AbsoluteUri;
        psi.Environment["ACQ_CLIENT_CERT"] = Path.Combine(_dir, "client.pem");
        psi.Environment["ACQ_CLIENT_KEY"] = Path.Combine(_dir, "client.key");
        // The child's system trust store: this file and an empty directory instead of /etc/ssl/certs.
        psi.Environment["SSL_CERT_FILE"] = caFile;
        psi.Environment["SSL_CERT_DIR"] = Path.Combine(_dir, "empty-cert-dir");
        using var child = Process.Start(psi)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        var stderr = child.StandardError.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        var output = await stdout;
        Assert.True(child.ExitCode == 0, $"the child exited {child.ExitCode}: {output}{await stderr}");
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        return (lines.Single(l => l.StartsWith("STATE ", StringComparison.Ordinal))[6..], lines.Single(l => l.StartsWith("REASON ", StringComparison.Ordinal))[7..]);
    }
}
