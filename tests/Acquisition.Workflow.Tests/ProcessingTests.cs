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

    [Fact]
    public void Tiles_cover_the_window_and_score_each_part_on_its_own()
    {
        // Sharp texture on the left half, the same texture blurred on the right: a surface in focus beside one out of it.
        using var frame = new Mat(240, 320, MatType.CV_8UC1);
        Cv2.Randu(frame, Scalar.All(0), Scalar.All(255));
        using (var right = new Mat(frame, new Rect(160, 0, 160, 240)))
        {
            Cv2.GaussianBlur(right, right, new Size(9, 9), 3);
        }
        var window = new FocusWindow(0, 0, 320, 240);
        var tiles = Enumerable.Range(0, 4 * 3).Select(i => window.Tile(i % 4, i / 4, 4, 3)).ToList();
        Assert.Equal(320 * 240, tiles.Sum(t => t.Width * t.Height));
        Assert.Equal(new FocusWindow(240, 160, 80, 80), tiles[^1]);
        Assert.Equal(new FocusWindow(3, 0, 3, 2), new FocusWindow(0, 0, 10, 7).Tile(1, 0, 3, 3)); // uneven splits differ by a pixel

        var measure = new LaplacianVarianceFocusMeasure(0.9);
        var scores = measure.ScoreTiles(FrameOf(frame), window, 4, 3);
        Assert.Equal(12, scores.Length);
        for (var row = 0; row < 3; row++)
        {
            // The two sharp columns against the two blurred ones; the tile against the same part scored alone.
            Assert.True(Math.Min(scores[row * 4], scores[(row * 4) + 1]) > 5 * Math.Max(scores[(row * 4) + 2], scores[(row * 4) + 3]), string.Join(", ", scores));
            Assert.Equal(measure.Score(FrameOf(frame), tiles[row * 4]), scores[row * 4], 0.25 * scores[row * 4]);
        }
        // The interface's own tiling (one score per tile) agrees with the measure's single pass.
        var oneByOne = ((IFocusMeasure)new ScorePerTile(measure)).ScoreTiles(FrameOf(frame), window, 4, 3);
        Assert.All(Enumerable.Range(0, 12), i => Assert.Equal(oneByOne[i], scores[i], 0.25 * scores[i]));

        // The sweep's combined call: the window's score and the tiles' from one Laplacian, the same figures exactly.
        var (whole, together) = measure.ScoreWithTiles(FrameOf(frame), window, 4, 3);
        Assert.Equal(measure.Score(FrameOf(frame), window), whole);
        Assert.Equal(scores, together);
        var (wholeByDefault, tilesByDefault) = ((IFocusMeasure)new ScorePerTile(measure)).ScoreWithTiles(FrameOf(frame), window, 4, 3);
        Assert.Equal(whole, wholeByDefault);
        Assert.Equal(oneByOne, tilesByDefault);

        var tooSmall = Assert.Throws<ArgumentOutOfRangeException>(() => measure.ScoreTiles(FrameOf(frame), new FocusWindow(0, 0, 40, 40), 8, 1));
        Assert.Contains("split into 8×1 tiles leaves tiles below 8×8 px", tooSmall.Message, StringComparison.Ordinal);
    }

    /// <summary>A measure that scores tiles the interface's default way, one <see cref="IFocusMeasure.Score(Frame, FocusWindow)"/> each.</summary>
    private sealed class ScorePerTile(IFocusMeasure inner) : IFocusMeasure
    {
        public double Score(Frame frame) => inner.Score(frame);

        public double Score(Frame frame, FocusWindow window) => inner.Score(frame, window);
    }
}
