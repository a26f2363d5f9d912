using System.Security.Cryptography;

namespace Acquisition.Packaging;

/// <summary>Key identifiers: the SHA-256 of the SubjectPublicKeyInfo DER, so anyone can recompute them from the key.</summary>
public static class KeyIds
{
    public static string Of(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Of(key.ExportSubjectPublicKeyInfo());
    }

    public static string Of(ReadOnlySpan<byte> subjectPublicKeyInfoDer) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfoDer));

    /// <summary>Key id of a PEM public key; throws <see cref="CryptographicException"/> on a malformed key.</summary>
    public static string OfPem(string publicKeyPem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(publicKeyPem);
        return Of(key);
    }
}
