using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Camera;

/// <summary>One instant of an exposure: where the stage truly was and what light fell on the scene.</summary>
public readonly record struct ExposureSample(StagePosition Position, LightingState Lighting);
