namespace Acquisition.Core.Control;

/// <summary>The uplink state of one capture at one destination.</summary>
public enum OutboxState
{
    Pending,
    Uploading,
    Delivered,
    Rejected,
}
