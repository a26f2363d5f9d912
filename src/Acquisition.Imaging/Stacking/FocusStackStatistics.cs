namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Summary figures of one completed stack. The registration residuals are over the slices that had a second,
/// independent reference to check their position against (<see cref="SliceRegistration.ResidualPixels"/>); 0 when no
/// slice had one (fewer than three slices, or every older reference too faint to match).
/// </summary>
public sealed record FocusStackStatistics(
    int SliceCount,
    int Width,
    int Height,
    double ZFirstMicrometres,
    double ZLastMicrometres,
    double MeanZStepMicrometres,
    FocusMeasureKind FocusMeasure,
    double ValidFraction,
    double MaxSaturatedFraction,
    double NoiseSigmaFullScale,
    double RegistrationResidualRmsPixels,
    double RegistrationResidualMaxPixels,
    int FailedRegistrations,
    int HeldRegistrations,
    TimeSpan SliceProcessingTime,
    TimeSpan CompleteTime);
