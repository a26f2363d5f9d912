using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// A token issuer as CNCF distribution's token auth expects one: a CA the registry trusts (rootcertbundle) and a
/// signing certificate issued by it; tokens are RS256 JWTs that carry the signing certificate in their x5c header
/// and grant repository actions in their "access" claim.
/// </summary>
public sealed class TestTokenIssuer : IDisposable
{
    public const string Issuer = "acquisition-test-issuer";
    public const string Service = "acquisition-test-registry";
    private readonly RSA _signingKey;
    private readonly X509Certificate2 _signingCertificate;

    public TestTokenIssuer(string directory)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Acquisition Test Token CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(2));
        RootBundlePath = Path.Combine(directory, "token-ca.pem");
        File.WriteAllText(RootBundlePath, ca.ExportCertificatePem());

        _signingKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=Acquisition Test Token Signer", _signingKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        _signingCertificate = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));
    }

    public string RootBundlePath { get; }

    /// <summary>The registry's auth section; the realm is where a client without a valid token is sent.</summary>
    public string RegistryAuthYaml(string realm) => $"""
        auth:
          token:
            realm: {realm}
            service: {Service}
            issuer: {Issuer}
            rootcertbundle: {RootBundlePath}
        """;

    /// <summary>A JWT granting <paramref name="actions"/> on <paramref name="repository"/> for an hour.</summary>
    public string Mint(string repository, params string[] actions)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new Dictionary<string, object>
        {
            ["typ"] = "JWT",
            ["alg"] = "RS256",
            ["x5c"] = new[] { Convert.ToBase64String(_signingCertificate.RawData) },
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = "station-07",
            ["aud"] = Service,
            ["exp"] = now + 3600,
            ["nbf"] = now - 30,
            ["iat"] = now - 30,
            ["jti"] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            ["access"] = new[] { new Dictionary<string, object> { ["type"] = "repository", ["name"] = repository, ["actions"] = actions } },
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _signingKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        _signingCertificate.Dispose();
        _signingKey.Dispose();
    }
}
