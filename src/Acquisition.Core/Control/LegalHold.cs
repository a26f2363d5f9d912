namespace Acquisition.Core.Control;

/// <summary>A legal hold: retention never deletes the capture while it exists.</summary>
public sealed record LegalHold(string CaptureId, string Reason, string SetBy, DateTimeOffset SetAt);
