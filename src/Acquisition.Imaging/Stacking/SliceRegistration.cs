namespace Acquisition.Imaging.Stacking;

/// <summary>
/// How one slice was registered to its (already registered) neighbour. Shifts are in full-resolution pixels in the
/// output frame; <see cref="Scale"/> is the magnification correction applied (1 = none).
/// </summary>
public sealed record SliceRegistration(
    int Index,
    double StageZMicrometres,
    double ShiftXPixels,
    double ShiftYPixels,
    double Scale,
    double Response,
    double ResidualPixels,
    bool Succeeded,
    string? FailureReason);
