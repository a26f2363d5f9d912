namespace Acquisition.Core.Control;

/// <summary>
/// A surface an autofocus sweep found in focus at its own height: the stage Z at which it is sharpest and the share
/// of the scored window it covers (0–1), e.g. the primer and the head face around it.
/// </summary>
public sealed record FocusSurface(double ZMicrometres, double ShareOfWindow);
