using OpenCvSharp;

namespace Acquisition.HardwareSim.Camera;

/// <summary>
/// Ground truth on a frame's pixel grid (no jitter, the magnification of the given stage Z): the true height of the
/// surface in µm (CV_32FC1) and the true all-in-focus image (CV_32FC1, noise-free, in the frame's digital numbers,
/// clipped to full scale).
/// </summary>
public sealed class CameraGroundTruth : IDisposable
{
    public CameraGroundTruth(Mat heightMicrometres, Mat allInFocus, Rect region, double pixelSizeMicrometres)
    {
        HeightMicrometres = heightMicrometres;
        AllInFocus = allInFocus;
        Region = region;
        PixelSizeMicrometres = pixelSizeMicrometres;
    }

    public Mat HeightMicrometres { get; }
    public Mat AllInFocus { get; }

    /// <summary>The region of the frame these maps cover (frame pixel coordinates).</summary>
    public Rect Region { get; }

    /// <summary>True object-side size of one pixel at this magnification, µm.</summary>
    public double PixelSizeMicrometres { get; }

    public void Dispose()
    {
        HeightMicrometres.Dispose();
        AllInFocus.Dispose();
    }
}
