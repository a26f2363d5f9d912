using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Acquisition.Uplink.Tests;

/// <summary>HTTPS against the real registry: a pinned CA bundle, and a client certificate the registry requires (mTLS).</summary>
[Collection("registry")]
public sealed class TlsTests : IAsyncLifetime
{
    private readonly TestStation _station = new();
    private RegistryProcess _registry = null!;
    private string _dir = null!;

    public async Task InitializeAsync()
    {
        _dir = Path.Combine(_station.Root, "pki");
        Directory.CreateDirectory(_dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caReq = new CertificateRequest("CN=Acquisition Test CA", caKey, HashAlgorithmName.SHA256);
        caReq.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caReq.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caReq.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        await File.WriteAllTextAsync(Path.Combine(_dir, "ca.pem"), ca.ExportCertificatePem());

        Issue(ca, "CN=127.0.0.1", "server", server: true);
        Issue(ca, "CN=station-07", "client", server: false);
        File.SetUnixFileMode(Path.Combine(_dir, "client.key"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        _registry = new RegistryProcess(httpExtra: $"""
              tls:
                certificate: {Path.Combine(_dir, "server.pem")}
                key: {Path.Combine(_dir, "server.key")}
                clientcas:
                  - {Path.Combine(_dir, "ca.pem")}
            """, scheme: "https");
        await _registry.StartAsync();
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

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _station.Dispose();
    }

    private UplinkDestinationOptions Destination(bool pin, bool clientCert)
    {
        var d = UplinkRig.RegistryDestination("national", _registry.Url);
        d.AllowPlainHttp = false;
        d.CaBundlePath = pin ? Path.Combine(_dir, "ca.pem") : null;
        d.ClientCertificatePath = clientCert ? Path.Combine(_dir, "client.pem") : null;
        d.ClientKeyPath = clientCert ? Path.Combine(_dir, "client.key") : null;
        return d;
    }

    [Fact]
    public async Task Pinned_ca_and_client_certificate_deliver_over_https()
    {
        var p = await _station.SealAsync(200_000);
        using var rig = new UplinkRig(_station, UplinkRig.Options1(Destination(pin: true, clientCert: true)));
        await rig.EnqueueAsync(p.Path);
        await rig.DrainAsync(5);
        Assert.Equal(DeliveryState.Delivered, Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None)).State);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public async Task Without_the_pinned_ca_or_the_client_certificate_nothing_is_delivered_and_the_capture_stays_queued(bool pin, bool clientCert)
    {
        var p = await _station.SealAsync(50_000);
        using var rig = new UplinkRig(_station, UplinkRig.Options1(Destination(pin, clientCert)));
        await rig.EnqueueAsync(p.Path);
        await rig.DrainAsync(4);
        var d = Assert.Single(await rig.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(DeliveryState.Uploading, d.State);
        Assert.Equal(2, d.Attempts);
        Assert.Contains("SSL", d.Reason, StringComparison.OrdinalIgnoreCase);
    }
}
