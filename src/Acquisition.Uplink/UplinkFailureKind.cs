namespace Acquisition.Uplink;

public enum UplinkFailureKind
{
    /// <summary>Network trouble, a timeout, 5xx, 429, a read-back mismatch: try again later, for as long as queued.</summary>
    Transient,

    /// <summary>401/403 after re-authenticating: kept queued (evidence is never given up on an auth error).</summary>
    Authentication,

    /// <summary>The upload session is gone (404 BLOB_UPLOAD_UNKNOWN/INVALID, 416): restart that blob.</summary>
    SessionLost,

    /// <summary>The server refuses the content itself (invalid manifest, 413, denied): final until an operator retries.</summary>
    Rejected,
}
