using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Acquisition.Station.Web;

/// <summary>The HTTPS certificate: the configured PFX, or a self-signed one generated once into keys/.</summary>
public static class WebCertificate
{
    public const string FileName = "web-tls.pfx";

    public static X509Certificate2 LoadOrCreate(WebOptions options, string keysDirectory, string stationId)
    {
        if (!string.IsNullOrEmpty(options.CertificateFile))
        {
            var password = string.IsNullOrEmpty(options.CertificatePasswordFile)
                ? null
                : File.ReadAllText(options.CertificatePasswordFile).TrimEnd('\r', '\n');
            return X509CertificateLoader.LoadPkcs12FromFile(options.CertificateFile, password);
        }
        var path = Path.Combine(keysDirectory, FileName);
        if (File.Exists(path))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, null);
        }
        Directory.CreateDirectory(keysDirectory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=acquisition-station {stationId}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("localhost");
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddIpAddress(System.Net.IPAddress.IPv6Loopback);
        san.AddDnsName(Environment.MachineName);
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(5));
        var pfx = cert.Export(X509ContentType.Pkcs12);
        // The private key: owner-only from the first byte, written then renamed so a crash never leaves half a file.
        var tmp = path + ".tmp";
        using (var stream = new FileStream(tmp, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            stream.Write(pfx);
            stream.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: false);
        return X509CertificateLoader.LoadPkcs12(pfx, null);
    }
}
