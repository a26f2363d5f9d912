namespace Acquisition.Uplink;

/// <summary>Where one capture stands at one destination. Delivered and Rejected are final until an operator retries.</summary>
public enum DeliveryState
{
    Pending,
    Uploading,
    Delivered,
    Rejected,
}
