namespace Acquisition.Packaging;

/// <summary>A station public key: current or from the rotation history.</summary>
/// <param name="KeyId">"sha256:" + lowercase hex SHA-256 of the SubjectPublicKeyInfo DER.</param>
/// <param name="PublicKeyPem">The SubjectPublicKeyInfo as PEM ("-----BEGIN PUBLIC KEY-----").</param>
/// <param name="IsCurrent">False for keys kept in keys/history/ after a rotation.</param>
public sealed record StationPublicKey(string KeyId, string PublicKeyPem, bool IsCurrent);
