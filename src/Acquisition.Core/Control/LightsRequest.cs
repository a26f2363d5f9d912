namespace Acquisition.Core.Control;

/// <summary>
/// PUT /lights: the listed ring segments (0-based; null = every segment) at <paramref name="Level"/> (0–1), every
/// other segment off; the coaxial light at <paramref name="Coaxial"/> (0–1, null leaves it as it is).
/// Privileged, audited as "lights.set".
/// </summary>
public sealed record LightsRequest(IReadOnlyList<int>? Segments, double Level, double? Coaxial = null);
