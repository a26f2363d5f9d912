namespace Acquisition.Workflow.Capture;

/// <summary>Free space available to the station's data directory.</summary>
public interface IDiskSpaceProbe
{
    long AvailableBytes(string path);
}
