namespace Acquisition.Uplink;

/// <summary>A legal hold: the package is never deleted while it stands.</summary>
public sealed record LegalHold(string CaptureId, string Reason, string SetBy, DateTimeOffset SetAt);
