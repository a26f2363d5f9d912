namespace Acquisition.Imaging.Stacking;

/// <summary>How the shift between a slice and its registered neighbour is measured.</summary>
public enum RegistrationMethod
{
    /// <summary>
    /// Normalised cross-correlation (OpenCV matchTemplate) with a parabolic sub-pixel peak. It weights spatial
    /// frequencies by their power, so the low frequencies that defocus barely changes dominate; on a downscaled crop,
    /// where a blurred depth step can be the strongest of them, the crops are high-passed first
    /// (<see cref="FocusStackerOptions.RegistrationHighPass"/>).
    /// </summary>
    NormalisedCrossCorrelation,

    /// <summary>
    /// OpenCV phaseCorrelate. Whitening weights every frequency alike, so the focus change between slices biases
    /// each step slightly and the chain drifts (measured in docs/imaging.md).
    /// </summary>
    PhaseCorrelation,
}
