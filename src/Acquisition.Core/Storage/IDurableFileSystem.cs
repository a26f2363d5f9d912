namespace Acquisition.Core.Storage;

/// <summary>
/// The few filesystem operations durability depends on. The real implementation calls the kernel; a test layer can
/// model a power cut by discarding whatever was not fsynced.
/// </summary>
public interface IDurableFileSystem
{
    /// <summary>Creates a new file that must not exist yet.</summary>
    Stream CreateNew(string path);

    /// <summary>Opens a file for appending, creating it if needed.</summary>
    Stream OpenAppend(string path);

    /// <summary>Flushes the stream's data and metadata to stable storage (fsync).</summary>
    void Sync(Stream stream);

    /// <summary>Renames <paramref name="from"/> to <paramref name="to"/>; fails if <paramref name="to"/> exists.</summary>
    void RenameNoReplace(string from, string to);

    /// <summary>Makes directory entries (creations, renames) durable.</summary>
    void SyncDirectory(string directory);
}
