namespace Acquisition.Workflow.Capture;

/// <summary>Whether the system clock is synchronised, as the kernel sees it.</summary>
public interface IClockSyncProbe
{
    /// <summary>True when synchronised; <paramref name="detail"/> says how it was determined.</summary>
    bool IsSynchronised(out string detail);
}
