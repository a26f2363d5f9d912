namespace Acquisition.Core.Control;

/// <summary>
/// The station's signing identity after enrolment or a key rotation. <paramref name="KeyId"/> is
/// "sha256:" + hex SHA-256 of the SubjectPublicKeyInfo DER, the fingerprint packages are checked against.
/// </summary>
/// <param name="Created">True when this call generated the key.</param>
/// <param name="CsrPem">A PKCS#10 certificate signing request for the lab's PKI, or null (key rotation without a subject).</param>
/// <param name="PreviousKeyIds">Retired keys kept in the key history, so that old packages still verify.</param>
public sealed record StationIdentity(string KeyId, string PublicKeyPem, bool Created, string? CsrPem, IReadOnlyList<string> PreviousKeyIds);
