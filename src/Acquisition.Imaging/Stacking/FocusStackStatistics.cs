namespace Acquisition.Imaging.Stacking;

/// <summary>Summary figures of one completed stack.</summary>
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
