using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// What <see cref="StreamingFocusStacker.Complete"/> returns. All maps share the frame's size and the registered
/// frame of the first slice. The caller owns the Mats (dispose the result).
/// </summary>
public sealed class FocusStackResult : IDisposable
{
    internal FocusStackResult(Mat fused, Mat heightMap, Mat confidence, FocusStackStatistics statistics, IReadOnlyList<SliceRegistration> registrations)
    {
        FusedImage = fused;
        HeightMapMicrometres = heightMap;
        Confidence = confidence;
        Statistics = statistics;
        Registrations = registrations;
    }

    /// <summary>All-in-focus image, CV_16UC1, full scale 65535 whatever the input depth.</summary>
    public Mat FusedImage { get; }

    /// <summary>
    /// CV_32FC1: the stage z (µm) at which each pixel is in best focus, i.e. its height in the stage's z frame
    /// (larger = nearer the objective when the stage z axis points towards it). NaN where no clear peak was found.
    /// </summary>
    public Mat HeightMapMicrometres { get; }

    /// <summary>
    /// CV_32FC1: each pixel's confidence, (peak − mean) of its z-smoothed focus curve over the focus measure of pure read
    /// noise (from the stack's noise estimate); a valid height needs ≥ <see cref="FocusStackerOptions.MinConfidence"/>.
    /// (peak − mean) / std of the curve is the separate sharpness check, not this map.
    /// </summary>
    public Mat Confidence { get; }

    public FocusStackStatistics Statistics { get; }

    public IReadOnlyList<SliceRegistration> Registrations { get; }

    public void Dispose()
    {
        FusedImage.Dispose();
        HeightMapMicrometres.Dispose();
        Confidence.Dispose();
    }
}
