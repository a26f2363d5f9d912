namespace Acquisition.Uplink;

/// <summary>
/// The one operation the OCI layout needs beyond Core's <c>IDurableFileSystem</c>: atomically replacing index.json.
/// A power-loss test layer implements it to model the rename; otherwise rename(2) over the target is used.
/// </summary>
public interface IReplacingFileSystem
{
    void RenameReplace(string from, string to);
}
