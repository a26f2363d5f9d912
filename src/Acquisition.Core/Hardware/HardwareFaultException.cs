namespace Acquisition.Core.Hardware;

/// <summary>
/// A device failed in a way the operator must see: the message names what happened and what to do. When
/// <see cref="RequiresHoming"/> is set the stage position can no longer be trusted.
/// </summary>
public class HardwareFaultException : Exception
{
    public HardwareFaultException(string message, bool requiresHoming = false, Exception? inner = null)
        : base(message, inner)
    {
        RequiresHoming = requiresHoming;
    }

    public bool RequiresHoming { get; }
}
