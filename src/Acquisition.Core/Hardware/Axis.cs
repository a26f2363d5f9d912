namespace Acquisition.Core.Hardware;

/// <summary>A stage axis. Z moves the optics (or the casing) along the optical axis.</summary>
public enum Axis
{
    X,
    Y,
    Z,
}
