using Acquisition.Core.Hardware;
using Acquisition.Workflow.Processing;
using OpenCvSharp;

namespace Acquisition.Workflow.Tests;

/// <summary>The OpenCV pieces on synthetic images (real OpenCV, no substitutes).</summary>
public sealed class ProcessingTests
{
    private static Frame FrameOf(Mat mat)
    {
        var data = new byte[mat.Width * mat.Height];
        System.Runtime.InteropServices.Marshal.Copy(mat.Data, data, 0, data.Length);
        return new Frame(mat.Width, mat.Height, PixelFormat.Mono8, data, 1, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void The_hough_detector_finds_a_primer_cup_off_centre_within_three_pixels()
    {
        using var img = new Mat(480, 640, MatType.CV_8UC1, Scalar.All(60));
        Cv2.Circle(img, new Point(350, 230), 200, Scalar.All(200), -1, LineTypes.AntiAlias);  // case head
        Cv2.Circle(img, new Point(337, 251), 89, Scalar.All(120), -1, LineTypes.AntiAlias);   // primer cup
        Cv2.Circle(img, new Point(337, 251), 89, Scalar.All(20), 3, LineTypes.AntiAlias);     // cup edge shadow
        var found = new HoughPrimerDetector().Detect(FrameOf(img), 2, 80, 98);
        Assert.NotNull(found);
        Assert.InRange(found.CentreXPixels, 334.5, 339.5);
        Assert.InRange(found.CentreYPixels, 248.5, 253.5);
        Assert.InRange(found.RadiusPixels, 85, 95);
    }

    [Fact]
    public void The_hough_detector_reports_nothing_on_an_empty_holder()
    {
        using var img = new Mat(480, 640, MatType.CV_8UC1, Scalar.All(60));
        Assert.Null(new HoughPrimerDetector().Detect(FrameOf(img), 2, 80, 98));
    }

    [Fact]
    public void The_focus_measure_prefers_the_sharp_image()
    {
        using var sharp = new Mat(240, 320, MatType.CV_8UC1);
        Cv2.Randu(sharp, Scalar.All(0), Scalar.All(255));
        using var blurred = new Mat();
        Cv2.GaussianBlur(sharp, blurred, new Size(9, 9), 3);
        var measure = new LaplacianVarianceFocusMeasure();
        Assert.True(measure.Score(FrameOf(sharp)) > 5 * measure.Score(FrameOf(blurred)));
    }

    [Fact]
    public void A_focus_window_scores_only_what_lies_inside_it()
    {
        // Sharp texture around a blurred centre: the head face in focus around a defocused primer.
        using var frame = new Mat(240, 320, MatType.CV_8UC1);
        Cv2.Randu(frame, Scalar.All(0), Scalar.All(255));
        var centre = new Rect(100, 60, 120, 120);
        using (var inner = new Mat(frame, centre))
        {
            Cv2.GaussianBlur(inner, inner, new Size(9, 9), 3);
        }
        var measure = new LaplacianVarianceFocusMeasure(0.9);
        var window = FocusWindow.Centred(320, 240, 120, 120);
        Assert.Equal(new FocusWindow(centre.X, centre.Y, centre.Width, centre.Height), window);
        Assert.True(measure.Score(FrameOf(frame)) > 5 * measure.Score(FrameOf(frame), window));

        // Cut to the frame, never past it or shifted into it; a window that leaves too little is refused by name.
        Assert.Equal(new FocusWindow(0, 0, 320, 240), FocusWindow.Centred(320, 240, 1000, 1000));
        Assert.Equal(new FocusWindow(0, 10, 20, 30), new FocusWindow(-20, 10, 40, 30).Within(320, 240));
        Assert.Equal(measure.Score(FrameOf(frame), new FocusWindow(0, 0, 100, 100)), measure.Score(FrameOf(frame), new FocusWindow(-50, -50, 150, 150)));
        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => measure.Score(FrameOf(frame), new FocusWindow(316, 0, 50, 50)));
        Assert.Contains("leaves 4×50 px of the 320×240 frame", tooSmall.Message, StringComparison.Ordinal);
    }
}
