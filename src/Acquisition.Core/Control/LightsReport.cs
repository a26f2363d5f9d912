namespace Acquisition.Core.Control;

/// <summary>The ring light: one level 0–1 per segment (index 0 first), and the coaxial light 0–1.</summary>
public sealed record LightsReport(IReadOnlyList<double> Segments, double Coaxial, bool AllOff);
