using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Acquisition.Core.Control;
using Acquisition.Core.Storage;
using Acquisition.Packaging;

namespace Acquisition.ServiceConsole.Local;

/// <summary>
/// Enrolment and key rotation directly on a data directory, for a station that is stopped (a new board being set
/// up, or service work). In production the daemon does the same behind POST /station/enrol and
/// /station/keys/rotate, because it is the only writer of the audit log.
/// </summary>
internal static class LocalStationIdentity
{
    public static async Task<StationIdentity> RunAsync(string dataDirectory, bool rotate, string subject, string user, CancellationToken ct)
    {
        var name = ParseSubject(subject);
        var data = new DataDirectory(dataDirectory).EnsureCreated();
        var store = new StationKeyStore(data, TimeProvider.System);
        var audit = new AuditLog(data, TimeProvider.System);
        var previous = store.HasKey ? store.CurrentKeyId() : null;
        var created = !store.HasKey;
        if (rotate)
        {
            await store.RotateAsync(ct).ConfigureAwait(false);
            created = true;
        }
        using var key = await store.GetOrCreateSigningKeyAsync(ct).ConfigureAwait(false);
        var keyId = KeyIds.Of(key);
        var csr = CreateSigningRequestPem(key, name);
        var history = store.TrustedPublicKeys().Where(k => !k.IsCurrent).Select(k => k.KeyId).ToArray();
        await audit.AppendAsync(user, rotate ? "station.key-rotated" : "station.enrolled", new
        {
            keyId,
            previousKeyId = previous,
            keyCreated = created,
            csrSubject = name.Name,
            via = "acq --data (station stopped)",
        }, ct).ConfigureAwait(false);
        return new StationIdentity(keyId, key.ExportSubjectPublicKeyInfoPem(), created, csr, history);
    }

    /// <summary>A PKCS#10 request for a signing certificate bound to the station's key.</summary>
    public static string CreateSigningRequestPem(ECDsa key, X500DistinguishedName subject)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, critical: true));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        return request.CreateSigningRequestPem();
    }

    public static X500DistinguishedName ParseSubject(string subject)
    {
        try
        {
            var name = new X500DistinguishedName(subject);
            if (name.RawData.Length <= 2)
            {
                throw new CryptographicException("empty name");
            }
            return name;
        }
        catch (CryptographicException ex)
        {
            throw Cli.CliException.Usage($"--subject '{subject}' is not a distinguished name ({ex.Message}). Write it like \"CN=ACQ-0042, O=State Crime Lab, C=US\".");
        }
    }
}
