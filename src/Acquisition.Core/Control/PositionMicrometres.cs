namespace Acquisition.Core.Control;

/// <summary>A stage position in machine coordinates, micrometres.</summary>
public sealed record PositionMicrometres(double XMicrometres, double YMicrometres, double ZMicrometres);
