namespace Acquisition.Imaging.Stacking;

/// <summary>
/// How one slice was registered to its (already registered) neighbour. Shifts are in full-resolution pixels in the
/// output frame; <see cref="Scale"/> is the magnification correction applied (1 = none). <see cref="Held"/> marks a
/// slice too faint to register that kept the previous slice's position (docs/imaging.md); its residual is NaN.
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
