namespace Acquisition.Core.Control;

/// <summary>POST /camera/snap: one frame with the current lights. Null settings keep the camera's current ones.</summary>
public sealed record SnapRequest(double? ExposureMicroseconds = null, double? Gain = null);
