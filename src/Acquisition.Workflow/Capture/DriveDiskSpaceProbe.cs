namespace Acquisition.Workflow.Capture;

/// <summary>Free space from the filesystem holding the path (statvfs through DriveInfo).</summary>
public sealed class DriveDiskSpaceProbe : IDiskSpaceProbe
{
    public long AvailableBytes(string path) => new DriveInfo(Path.GetFullPath(path)).AvailableFreeSpace;
}
