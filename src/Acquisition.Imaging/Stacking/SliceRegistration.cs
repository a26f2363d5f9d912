namespace Acquisition.Imaging.Stacking;

/// <summary>
/// How one slice was registered to its (already registered) neighbour. Shifts are in full-resolution pixels in the
/// output frame; <see cref="Scale"/> is the magnification correction applied (1 = none). <see cref="Held"/> marks a
/// slice too faint to register that kept the previous slice's position (docs/imaging.md); its residual is NaN.
/// <see cref="ResidualPixels"/> is the slice's registration error as a second, independent reference sees it (full
/// resolution): 0 for the first slice, NaN where there is no usable second reference (the second slice, a faint one).
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
    string? FailureReason,
    bool Held = false);
