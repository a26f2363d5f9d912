using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Camera;

/// <summary>
/// What the simulator knows about one rendered frame and the station does not: the true stage position at
/// mid-exposure, the focal-plane height, the jitter and the magnification it applied, and whether the stage moved.
/// </summary>
public sealed record SimulatedFrameTruth(
    long Sequence,
    StagePosition MidExposurePosition,
    double FocusHeightMicrometres,
    double JitterXPixels,
    double JitterYPixels,
    double Magnification,
    double MotionDuringExposurePixels);
