using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The fusion's one-pass level choice against the OpenCV passes it replaced (compare, normalised box filter with
/// BORDER_REFLECT_101, threshold above 127, two masked copies): the same mask and the same best images, bit for bit,
/// in the vector and the scalar code, for widths that are not a multiple of the vector length, ties, and windows up
/// to the widest the byte counts allow.
/// </summary>
public sealed class ConsistentSelectionTests
{
    public static TheoryData<int, int, int, bool> Cases => new()
    {
        // width, height, window, 16-bit values (else float)
        { 203, 67, 5, false },
        { 203, 67, 5, true },
        { 153, 128, 3, false },
        { 64, 40, 1, false },
        { 97, 33, 7, true },
        { 71, 45, 15, false },
        { 17, 19, 5, true },
        { 48, 3, 7, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_OpenCV_passes_bit_for_bit(int w, int h, int window, bool shorts) =>
        AssertSameAsOpenCvPasses(w, h, window, shorts, weighted: false);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_selection_is_the_OpenCV_passes_on_the_weighted_activity(int w, int h, int window, bool shorts) =>
        // The warp weighting (WarpDetailGain) multiplies the activity by a per-column and a per-row gain inside the
        // vote and the copy; it must choose, and store, exactly what the passes choose on the multiplied image.
        AssertSameAsOpenCvPasses(w, h, window, shorts, weighted: true);

    private static void AssertSameAsOpenCvPasses(int w, int h, int window, bool shorts, bool weighted)
    {
        int seed = weighted ? 7 : 1;
        using var activity = Field(w, h, window, seed);
        using var bestActivity = Field(w, h, window, seed + 1);
        var valueType = shorts ? MatType.CV_16SC1 : MatType.CV_32FC1;
        using var values = Values(w, h, valueType, seed + 2);
        using var bestValues = Values(w, h, valueType, seed + 3);
        float[]? gainX = null, gainY = null;
        using var compared = activity.Clone();
        if (weighted)
        {
            var rng = new System.Random(11);
            gainX = Enumerable.Range(0, w).Select(_ => (float)(0.75 + 0.5 * rng.NextDouble())).ToArray();
            gainY = Enumerable.Range(0, h).Select(_ => (float)(0.75 + 0.5 * rng.NextDouble())).ToArray();
            WarpDetailGain.Apply(activity, gainX, gainY, compared);
            activity.GetArray(out float[] source);
            compared.GetArray(out float[] product);
            Assert.Equal(source[(h - 1) * w + w - 1] * gainX[w - 1] * gainY[h - 1], product[(h - 1) * w + w - 1]);
        }

        var (expectedMask, expectedActivity, expectedValues) = OpenCvPasses(compared, bestActivity, values, bestValues, window);
        using var disposeMask = expectedMask;
        using var disposeActivity = expectedActivity;
        using var disposeValues = expectedValues;
        // The case must exercise both outcomes, and mixed 8-pixel runs, not an all-or-nothing mask.
        int chosen = Cv2.CountNonZero(expectedMask);
        Assert.True(chosen >= w * h / 10 && chosen <= w * h * 9 / 10, $"{chosen} of {w * h} pixels chosen");
        if (weighted)
        {
            // The weights must change the choice, or this test could not tell them from none.
            var (unweighted, unweightedActivity, unweightedValues) = OpenCvPasses(activity, bestActivity, values, bestValues, window);
            using (unweighted)
            using (unweightedActivity)
            using (unweightedValues)
            using (var differ = new Mat())
            {
                Cv2.Compare(unweighted, expectedMask, differ, CmpTypes.NE);
                Assert.True(Cv2.CountNonZero(differ) > 0, "the gains changed no pixel's choice");
            }
        }

        foreach (bool simd in new[] { true, false })
        {
            using var best = bestActivity.Clone();
            using var bestV = bestValues.Clone();
            using var vote = new Mat();
            using var mask = new Mat();
            ConsistentSelection.Select(activity, best, values, bestV, vote, mask, window, gainX, gainY, simd);

            AssertEqual(expectedMask, mask, $"mask (simd {simd})");
            AssertEqual(expectedActivity, best, $"best activity (simd {simd})");
            AssertEqual(expectedValues, bestV, $"best values (simd {simd})");
        }
    }

    [Fact]
    public void Refuses_a_window_its_byte_counts_cannot_hold()
    {
        using var a = Field(32, 32, 5, 5);
        using var v = Values(32, 32, MatType.CV_32FC1, 6);
        using var best = a.Clone();
        using var bestV = v.Clone();
        using var vote = new Mat();
        using var mask = new Mat();
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            ConsistentSelection.Select(a, best, v, bestV, vote, mask, ConsistentSelection.MaxWindowPixels + 2));
    }

    [Fact]
    public void Refuses_gains_that_are_not_a_pair_or_do_not_cover_the_level_and_leaves_the_best_untouched()
    {
        using var a = Field(32, 24, 5, 7);
        using var v = Values(32, 24, MatType.CV_32FC1, 8);
        using var best = Field(32, 24, 5, 9);
        using var bestV = Values(32, 24, MatType.CV_32FC1, 10);
        using var bestBefore = best.Clone();
        using var bestVBefore = bestV.Clone();
        using var vote = new Mat();
        using var mask = new Mat();
        var ones = (int n) => Enumerable.Repeat(1f, n).ToArray();

        var single = Assert.Throws<ArgumentException>(() => ConsistentSelection.Select(a, best, v, bestV, vote, mask, 5, ones(32), null));
        Assert.Contains("Gains come as a pair", single.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ConsistentSelection.Select(a, best, v, bestV, vote, mask, 5, null, ones(24)));
        var shortRows = Assert.Throws<ArgumentException>(() => ConsistentSelection.Select(a, best, v, bestV, vote, mask, 5, ones(32), ones(23)));
        Assert.Contains("cover 32 columns and 23 rows; the level is 32×24", shortRows.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ConsistentSelection.Select(a, best, v, bestV, vote, mask, 5, ones(31), ones(24)));
        AssertEqual(bestBefore, best, "best activity after a refusal");
        AssertEqual(bestVBefore, bestV, "best values after a refusal");

        // Longer gains than the level are accepted (the buffers are sized for level 1 and reused).
        ConsistentSelection.Select(a, best, v, bestV, vote, mask, 5, ones(40), ones(30));
    }

    /// <summary>The passes the one-pass choice replaced: the mask, and the best activity and values after the copies.</summary>
    private static (Mat Mask, Mat BestActivity, Mat BestValues) OpenCvPasses(Mat activity, Mat bestActivity, Mat values, Mat bestValues, int window)
    {
        var expectedActivity = bestActivity.Clone();
        var expectedValues = bestValues.Clone();
        var expectedMask = new Mat();
        using var vote = new Mat();
        Cv2.Compare(activity, bestActivity, vote, CmpTypes.GT);
        Cv2.BoxFilter(vote, expectedMask, MatType.CV_8U, new Size(window, window), normalize: true, borderType: BorderTypes.Reflect101);
        Cv2.Threshold(expectedMask, expectedMask, 127, 255, ThresholdTypes.Binary);
        values.CopyTo(expectedValues, expectedMask);
        activity.CopyTo(expectedActivity, expectedMask);
        return (expectedMask, expectedActivity, expectedValues);
    }

    /// <summary>
    /// A smooth random activity (regions about the window's size, as a focus measure gives) quantised to a few
    /// levels, so that the two activities are often exactly equal and the strict comparison matters.
    /// </summary>
    private static Mat Field(int w, int h, int window, int seed)
    {
        var noise = Random(w, h, MatType.CV_32FC1, 0, 1000, seed);
        Cv2.GaussianBlur(noise, noise, new Size(0, 0), 1 + window / 2.0);
        Cv2.Normalize(noise, noise, 0, 1, NormTypes.MinMax);
        noise.ConvertTo(noise, MatType.CV_32FC1, 12);
        using var levels = new Mat();
        noise.ConvertTo(levels, MatType.CV_8UC1);
        levels.ConvertTo(noise, MatType.CV_32FC1, 0.25);
        return noise;
    }

    private static Mat Values(int w, int h, MatType type, int seed)
    {
        return Random(w, h, type, -30000, 30000, seed);
    }

    private static Mat Random(int w, int h, MatType type, double min, double max, int seed)
    {
        var random = new Random(seed);
        var values = new double[h * w];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = Math.Round(min + (max - min) * random.NextDouble());
        }
        using var exact = Mat.FromPixelData(h, w, MatType.CV_64FC1, values);
        var image = new Mat();
        exact.ConvertTo(image, type);
        return image;
    }

    private static void AssertEqual(Mat expected, Mat actual, string what)
    {
        Assert.Equal(expected.Type(), actual.Type());
        Assert.Equal(expected.Size(), actual.Size());
        using var difference = new Mat();
        Cv2.Compare(expected, actual, difference, CmpTypes.NE);
        int differing = Cv2.CountNonZero(difference);
        Assert.True(differing == 0, $"{what}: {differing} pixels differ");
    }
}
