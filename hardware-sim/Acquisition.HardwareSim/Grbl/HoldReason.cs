namespace Acquisition.HardwareSim.Grbl;

/// <summary>What a controlled deceleration leads to once the axes are at rest.</summary>
internal enum HoldReason
{
    FeedHold,
    Door,
    JogCancel,
    SoftLimit,
}
