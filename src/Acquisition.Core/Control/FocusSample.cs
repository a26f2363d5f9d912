namespace Acquisition.Core.Control;

/// <summary>One point of a focus curve: the focus measure (arbitrary units, larger is sharper) at a stage Z.</summary>
public sealed record FocusSample(double ZMicrometres, double Focus);
