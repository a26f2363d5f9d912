using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Imaging.Stacking;
using Acquisition.Imaging.X3p;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The X3P axes against the casing as the camera sees it (docs/x3p.md, "Axis orientation"): a mirrored height map
/// never correlates with the same casing, so a raised headstamp letter goes through the whole chain (simulator z-stack,
/// <see cref="StreamingFocusStacker"/>, <see cref="X3pWriter"/> to a file, <see cref="X3pReader"/>) and the heights read
/// back must match the simulator's true heights far better than the same truth mirrored or flipped.
/// </summary>
public sealed class X3pOrientationTests(ITestOutputHelper output)
{
    private static readonly LightingState Light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.6);

    // The simulator's headstamp letters stand 30 µm proud of the head face (CasingHeadModel.HeadstampReliefMicrometres).
    // "F" is the letter CameraOrientationTests reads too: no mirror or rotation maps it onto itself.
    private static readonly CasingHeadModel Model = new() { HeadstampTop = "F", HeadstampBottom = "" };

    // Focal heights from below the head face (0) to above the letter tops (+30), so that neither peak sits at an end
    // of the stack: 32 slices at 2 µm.
    private const double ZFromMicrometres = -16, ZToMicrometres = 46, ZStepMicrometres = 2;
    private const int Border = 24;

    [Fact]
    public void Headstamp_letter_read_back_from_x3p_matches_the_true_heights_and_not_their_mirror_images()
    {
        var g = Model.Geometry;
        var ringMid = ((g.PrimerRadius + g.PrimerPocketGapMicrometres) + (g.HeadRadius - g.RimChamferWidthMicrometres)) / 2;
        // Small sensor (512×424 at 2.5 µm/px), its default seeded jitter (0.25 px RMS) and magnification drift: the
        // stack the station would take, centred on the letter at 12 o'clock.
        var options = SimulatedCameraOptions.Small;
        using var scene = SurfacePresets.Casing(Model, new SceneExtent(900, 0, -ringMid));
        using var renderer = new FrameRenderer(scene, options);
        var stackerOptions = new FocusStackerOptions { Magnification = new MagnificationModel(options.MagnificationChangePerMicrometre, options.ZAtDatumFocusMicrometres) };

        SimulatedFrameTruth? first = null;
        FocusStackResult result;
        using (var stacker = new StreamingFocusStacker(stackerOptions))
        {
            long sequence = 0;
            for (var z = ZFromMicrometres; z <= ZToMicrometres + 1e-9; z += ZStepMicrometres)
            {
                var position = StagePosition.FromMicrometres(0, -ringMid, z);
                var (data, truth) = renderer.Render(_ => new ExposureSample(position, Light), options.Exposure, options.Gain, options.Format, sequence);
                first ??= truth;
                stacker.Add(new Frame(options.Width, options.Height, options.Format, data, sequence, DateTimeOffset.UnixEpoch, options.Exposure), new Micrometres(z));
                sequence++;
            }
            result = stacker.Complete();
        }
        using var stacked = result;
        // The truth on slice 0's grid (the stacker's output frame), jitter included.
        using var groundTruth = renderer.GroundTruth(StagePosition.FromMicrometres(0, -ringMid, ZFromMicrometres), Light, options.Exposure, options.Gain, options.Format);
        var trueHeight = groundTruth.HeightMicrometres;
        ShiftInPlace(trueHeight, first!.JitterXPixels, first.JitterYPixels);

        var back = WriteAndReadBack(stacked.HeightMapMicrometres, options.PixelSizeMicrometres);

        // A non-square frame: a transposed map would already fail here.
        Assert.Equal(options.Width, back.SizeX);
        Assert.Equal(options.Height, back.SizeY);
        Assert.Equal(options.PixelSizeMicrometres * 1e-6, back.IncrementXMetres, 1e-15);

        // Read-back point (ix, iy) against the truth at OpenCV (row iy, column ix) and at its mirror images. The file is
        // indexed only through X3pSurface.HeightMetresAt, so no conversion shared by both sides can hide a flip.
        int w = back.SizeX, h = back.SizeY;
        var read = new List<double>();
        var candidates = new Dictionary<string, List<double>>(StringComparer.Ordinal)
        {
            ["as seen"] = [], ["mirrored left-right"] = [], ["mirrored top-bottom"] = [], ["rotated 180°"] = [],
        };
        var points = 0;
        for (var iy = Border; iy < h - Border; iy++)
        {
            for (var ix = Border; ix < w - Border; ix++)
            {
                points++;
                var z = back.HeightMetresAt(ix, iy) * 1e6;
                if (!double.IsFinite(z))
                {
                    continue;
                }
                read.Add(z);
                candidates["as seen"].Add(trueHeight.At<float>(iy, ix));
                candidates["mirrored left-right"].Add(trueHeight.At<float>(iy, w - 1 - ix));
                candidates["mirrored top-bottom"].Add(trueHeight.At<float>(h - 1 - iy, ix));
                candidates["rotated 180°"].Add(trueHeight.At<float>(h - 1 - iy, w - 1 - ix));
            }
        }
        var scores = candidates.ToDictionary(c => c.Key, c => (R: Correlation(read, c.Value), Rms: RmsAfterMeanRemoval(read, c.Value)), StringComparer.Ordinal);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{read.Count} of {points} central points valid ({1 - ((double)read.Count / points):P1} NaN)"));
        foreach (var (name, (r, rms)) in scores)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"truth {name}: correlation {r:0.000}, RMS after mean removal {rms:0.00} µm"));
        }

        var right = scores["as seen"];
        Assert.True(read.Count > points / 2, $"only {read.Count} of {points} central points are valid");
        Assert.True(right.R > 0.95, $"the read-back heights correlate only {right.R:0.000} with the truth as seen");
        foreach (var (name, (r, rms)) in scores.Where(s => s.Key != "as seen"))
        {
            Assert.True(r < right.R - 0.3, $"the truth {name} correlates {r:0.000}, too close to {right.R:0.000} as seen");
            Assert.True(rms > 3 * right.Rms, $"the truth {name} fits to {rms:0.00} µm RMS, too close to {right.Rms:0.00} µm as seen");
        }

        AssertLetterReadsUprightFromRowZero(back, output);
    }

    /// <summary>
    /// docs/x3p.md: point (0, 0) is the top-left of the frame as displayed, ix runs right and iy down. An upright "F"
    /// then has its stem at small ix (the side of column 0) and its top bar at small iy (the side of row 0).
    /// </summary>
    private static void AssertLetterReadsUprightFromRowZero(X3pSurface back, ITestOutputHelper output)
    {
        var valid = new List<double>();
        for (var iy = 0; iy < back.SizeY; iy++)
        {
            for (var ix = 0; ix < back.SizeX; ix++)
            {
                var z = back.HeightMetresAt(ix, iy) * 1e6;
                if (double.IsFinite(z))
                {
                    valid.Add(z);
                }
            }
        }
        valid.Sort();
        // The head face covers most of the frame: its level is the median; the letter stands 30 µm above it.
        var raisedAbove = valid[valid.Count / 2] + 15;
        var raised = new List<(int X, int Y)>();
        for (var iy = Border; iy < back.SizeY - Border; iy++)
        {
            for (var ix = Border; ix < back.SizeX - Border; ix++)
            {
                if (back.HeightMetresAt(ix, iy) * 1e6 > raisedAbove)
                {
                    raised.Add((ix, iy));
                }
            }
        }
        Assert.True(raised.Count > 1000, $"only {raised.Count} raised points: the letter is missing");
        int minX = raised.Min(p => p.X), maxX = raised.Max(p => p.X), minY = raised.Min(p => p.Y), maxY = raised.Max(p => p.Y);
        var bandX = (maxX - minX + 1) / 5;
        var bandY = (maxY - minY + 1) / 5;
        // Of the letter's rows, the share with a raised point in the left / right fifth of its box; of its columns, the
        // share with one in the top / bottom fifth. The stem spans every row, the top bar every column.
        double RowsCovered(Func<int, bool> inBand) => (double)raised.Where(p => inBand(p.X)).Select(p => p.Y).Distinct().Count() / (maxY - minY + 1);
        double ColumnsCovered(Func<int, bool> inBand) => (double)raised.Where(p => inBand(p.Y)).Select(p => p.X).Distinct().Count() / (maxX - minX + 1);
        var left = RowsCovered(x => x < minX + bandX);
        var right = RowsCovered(x => x > maxX - bandX);
        var top = ColumnsCovered(y => y < minY + bandY);
        var bottom = ColumnsCovered(y => y > maxY - bandY);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"letter box ix {minX}..{maxX}, iy {minY}..{maxY}; rows covered by its left fifth {left:P0}, right fifth {right:P0}; columns covered by its top fifth {top:P0}, bottom fifth {bottom:P0}"));

        Assert.True(left > 0.9 && right < 0.5, $"the stem is not on the side of column 0 (left {left:P0}, right {right:P0})");
        Assert.True(top > 0.9 && bottom < 0.5, $"the top bar is not on the side of row 0 (top {top:P0}, bottom {bottom:P0})");
    }

    private static X3pSurface WriteAndReadBack(Mat heightMicrometres, double pixelSizeMicrometres)
    {
        // The station's conversion: the Mat's rows in order, x fastest, as StackJob and EvidencePackageWriter copy them.
        heightMicrometres.GetArray(out float[] heights);
        var document = new X3pDocument(
            X3pSurface.FromMicrometres(heightMicrometres.Width, heightMicrometres.Height, pixelSizeMicrometres, heights),
            new X3pRecord2(
                new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero),
                "station-test",
                new X3pInstrument("simulator", "hardware-sim", "0", "test"),
                new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero),
                "NonContacting",
                "headstamp orientation test"));
        var directory = Directory.CreateTempSubdirectory("x3p-orientation-");
        try
        {
            var path = Path.Combine(directory.FullName, "headstamp.x3p");
            using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                X3pWriter.Write(document, file);
            }
            return X3pReader.Read(path).Surface;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static void ShiftInPlace(Mat image, double dx, double dy)
    {
        using var m = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, dx, 0, 1, dy });
        using var copy = image.Clone();
        Cv2.WarpAffine(copy, image, m, image.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
    }

    private static double Correlation(List<double> a, List<double> b)
    {
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (var i = 0; i < a.Count; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return sab / Math.Sqrt(saa * sbb);
    }

    private static double RmsAfterMeanRemoval(List<double> a, List<double> b)
    {
        var offset = a.Average() - b.Average();
        return Math.Sqrt(a.Select((v, i) => Math.Pow(v - b[i] - offset, 2)).Average());
    }
}
