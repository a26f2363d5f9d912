namespace Acquisition.Uplink;

/// <summary>Resumable state of one blob upload: the session URL and the offset the server last confirmed.</summary>
public sealed record BlobProgress(string Digest, long Size, string? UploadUrl, long ConfirmedOffset, bool Done);
