using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Imaging.Stacking;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Recipes;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// The geometric calibrations a capture applies, against the simulator's hidden optics: the magnification change
/// with z (the stacked height map lands on the first slice's pixel grid, where the truth is) and the camera–stage
/// rotation (an offset seen in the image becomes the stage move that brings the feature onto the optical axis).
/// </summary>
public sealed class CalibrationGeometryTests(ITestOutputHelper output)
{
    // A field of the breech face between the firing-pin crater and the primer pocket, as the imaging tests use.
    private const double StageX = 0, StageY = 1600;
    private const int Sensor = 768;
    private static readonly LightingState Light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.6);

    [Fact]
    public async Task The_recorded_magnification_change_puts_the_breech_face_height_map_on_the_truth_grid()
    {
        // Strongly non-telecentric optics, as the pixel-size procedure test recovers them (0.04 % per µm): between the
        // stack's first slice and the breech face's focus (26 µm) the image grows by about 1 %, 3 px at the outer
        // tiles' distance from the centre. The record is the truth: the procedure's recovery (within 5 %) is
        // CalibrationAppliedTests' subject.
        const double perMicrometre = 4e-4;
        var camera = SimulatedCameraOptions.Small with { Width = Sensor, Height = Sensor, MagnificationChangePerMicrometre = perMicrometre };
        using var h = new SequenceHarness();
        await h.Calibrations.RecordAsync(CalibrationKind.PixelSize, JsonSerializer.SerializeToElement(new
        {
            pixelSizeXMicrometres = camera.PixelSizeMicrometres,
            pixelSizeYMicrometres = camera.PixelSizeMicrometres,
            rotationDegrees = 0.0,
            magnificationChangePerMicrometre = perMicrometre,
        }), "alice", null, null, CancellationToken.None);
        using var calibrations = CaptureCalibrations.Load(h.Calibrations, [], h.Time.GetUtcNow(), [], 8, Sensor, Sensor);
        Assert.True(calibrations.Applied.Single(a => a.Kind == "Magnification").Applied);

        using var scene = SurfacePresets.DefaultCasing(new SceneExtent((Sensor * camera.PixelSizeMicrometres / 2) + 300, StageX, StageY));
        var with = StackAndRegister(scene, camera, calibrations.Magnification);
        var without = StackAndRegister(scene, camera, MagnificationModel.Identity);

        output.WriteLine($"height map against the true heights: with the calibration {with.Height}; without {without.Height}");
        output.WriteLine($"fused image against the true all-in-focus image: with the calibration {with.Fused}; without {without.Fused}");
        // Measured (2026-11-23; the simulator and the stacker are deterministic): the fused image +1.034 % without the
        // correction, −0.009 % with it (20 and 23 tiles, residuals ≤ 0.54 px); the height map +1.111 % without, −0.205 %
        // with. The height map and the fused image come out of the same registered slices, on one grid; the height map
        // registers less precisely only because few tiles carry enough height texture (6 and 7 of 25), so its bound
        // is looser. The expected growth is m(−40 µm) / m(−66 µm) − 1 = 1.07 %.
        Assert.True(without.Fused.ScaleError > 0.008, $"without the correction the stack's grid should be scaled by about 1 %: {without.Fused}");
        Assert.True(Math.Abs(with.Fused.ScaleError) < 0.001 && with.Fused.OffsetPixels < 1.0,
            $"with the correction the stack's grid should be the truth's (under 0.1 % scale, 1 px offset): {with.Fused} (without: {without.Fused})");
        Assert.True(without.Height.ScaleError > 0.008, $"without the correction the height map should be scaled by about 1 %: {without.Height}");
        Assert.True(Math.Abs(with.Height.ScaleError) < 0.004 && Math.Abs(with.Height.ScaleError) < without.Height.ScaleError / 2.5 && with.Height.OffsetPixels < 1.0,
            $"with the correction the height map should register to the truth (under 0.4 % scale, 1 px offset): {with.Height} (without: {without.Height})");
    }

    [Theory]
    [InlineData(4.0)]
    [InlineData(-7.5)]
    public void The_recorded_rotation_turns_an_image_offset_into_the_stage_move_that_centres_the_feature(double rotationDegrees)
    {
        var camera = SimulatedCameraOptions.Small with { CameraToStageRotationDegrees = rotationDegrees, MagnificationChangePerMicrometre = 0 };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1500));
        using var renderer = new FrameRenderer(scene, camera);
        var at = StagePosition.FromMicrometres(0, 0, 0);
        double cu = (camera.Width - 1) / 2.0, cv = (camera.Height - 1) / 2.0;

        double WorstMiss(double recordedDegrees)
        {
            var pixel = new PixelCalibration(new Micrometres(camera.PixelSizeMicrometres), new Micrometres(camera.PixelSizeMicrometres), recordedDegrees);
            var worst = 0.0;
            foreach (var (u, v) in new[] { (cu + 180, cv - 90), (cu - 150, cv + 120), (cu + 30, cv + 190) })
            {
                var feature = renderer.SceneCoordinatesOf(at, u, v);
                var (dx, dy) = pixel.ImageOffsetToStage(u - cu, v - cv);
                var centred = StagePosition.FromMicrometres(at.X.Value + dx.Value, at.Y.Value + dy.Value, at.Z.Value);
                var now = renderer.SceneCoordinatesOf(centred, cu, cv);
                worst = Math.Max(worst, Math.Sqrt(Math.Pow(now.X - feature.X, 2) + Math.Pow(now.Y - feature.Y, 2)));
            }
            return worst;
        }

        var calibrated = WorstMiss(rotationDegrees);
        var ignored = WorstMiss(0);
        output.WriteLine($"camera rotated {rotationDegrees}°: the centring move misses the feature by {calibrated:0.000} µm with the recorded rotation, {ignored:0.0} µm without");
        Assert.True(calibrated < 0.05, $"with the recorded rotation the move should centre the feature: missed by {calibrated} µm");
        Assert.True(ignored > 20, $"the rotation should matter at this offset: missed by {ignored} µm without it");
    }

    private const double MinimumResponse = 0.15;

    private readonly record struct Registration(double ScaleError, double OffsetPixels, double WorstResidualPixels, int Tiles)
    {
        public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"scale {ScaleError * 100:+0.000;-0.000} %, offset {OffsetPixels:0.00} px, worst tile residual {WorstResidualPixels:0.00} px over {Tiles} tiles");
    }

    private readonly record struct StackRegistration(Registration Height, Registration Fused);

    /// <summary>
    /// Renders the stack (z −66 to −14 µm at 2 µm, over the breech face's −40 µm plane), stacks it with
    /// <paramref name="magnification"/>, and registers the height map to the true heights, and the fused image to the
    /// true all-in-focus image, on the first slice's grid: 5×5 tiles, each phase-correlated, their shifts fitted by a
    /// common offset plus an isotropic scale about the centre.
    /// </summary>
    private static StackRegistration StackAndRegister(SurfaceScene scene, SimulatedCameraOptions camera, MagnificationModel magnification)
    {
        using var renderer = new FrameRenderer(scene, camera);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions { Magnification = magnification });
        SimulatedFrameTruth? first = null;
        const double zFrom = -66, zTo = -14;
        long sequence = 0;
        for (var z = zFrom; z <= zTo + 1e-9; z += 2)
        {
            var position = StagePosition.FromMicrometres(StageX, StageY, z);
            var (data, truth) = renderer.Render(_ => new ExposureSample(position, Light), camera.Exposure, camera.Gain, camera.Format, sequence);
            first ??= truth;
            stacker.Add(new Frame(camera.Width, camera.Height, camera.Format, data, sequence, DateTimeOffset.UnixEpoch, camera.Exposure), new Micrometres(z));
            sequence++;
        }
        using var result = stacker.Complete();
        using var groundTruth = renderer.GroundTruth(StagePosition.FromMicrometres(StageX, StageY, zFrom), Light, camera.Exposure, camera.Gain, camera.Format);
        // The stacker's grid is slice 0 as captured, jitter included.
        using var truthHeights = new Mat();
        using (var shift = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, first!.JitterXPixels, 0, 1, first.JitterYPixels }))
        {
            Cv2.WarpAffine(groundTruth.HeightMicrometres, truthHeights, shift, groundTruth.HeightMicrometres.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        }
        using var truthImage = new Mat();
        using (var shift = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, first.JitterXPixels, 0, 1, first.JitterYPixels }))
        {
            Cv2.WarpAffine(groundTruth.AllInFocus, truthImage, shift, groundTruth.AllInFocus.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        }
        return new StackRegistration(Register(result.HeightMapMicrometres, truthHeights, truthHeights), Register(result.FusedImage, truthImage, truthHeights));
    }

    private static Registration Register(Mat measured, Mat truth, Mat? planeOf)
    {
        const int tile = 128, pitch = 150;
        var centre = (Sensor - 1) / 2.0;
        var rows = new List<(double Px, double Py, double Sx, double Sy)>();
        using var window = new Mat();
        Cv2.CreateHanningWindow(window, new Size(tile, tile), MatType.CV_64FC1);
        for (var oy = -2; oy <= 2; oy++)
        {
            for (var ox = -2; ox <= 2; ox++)
            {
                var x0 = (int)centre + (ox * pitch) - (tile / 2);
                var y0 = (int)centre + (oy * pitch) - (tile / 2);
                var rect = new Rect(x0, y0, tile, tile);
                using var a = Prepared(truth, planeOf, rect);
                using var b = Prepared(measured, planeOf, rect);
                var shift = Cv2.PhaseCorrelate(a, b, window, out var response);
                // A tile without enough breech-face texture (mostly crater or pocket) correlates to noise.
                if (response >= MinimumResponse)
                {
                    rows.Add((x0 + (tile / 2.0) - centre, y0 + (tile / 2.0) - centre, shift.X, shift.Y));
                }
            }
        }
        if (rows.Count < 6)
        {
            throw new InvalidOperationException($"only {rows.Count} tiles correlate: nothing to register on");
        }
        // Least squares for s = t + e·p over both axes (unknowns tx, ty, e), dropping the worst tile while it misses
        // the fit by more than a pixel: a tile whose texture is mostly out of the stack's range can lock onto a wrong peak.
        while (true)
        {
            var (tx, ty, e) = Fit(rows);
            double Miss((double Px, double Py, double Sx, double Sy) r) => Math.Sqrt(Math.Pow(r.Sx - tx - (e * r.Px), 2) + Math.Pow(r.Sy - ty - (e * r.Py), 2));
            var worst = rows.MaxBy(Miss);
            if (Miss(worst) <= 1.0 || rows.Count <= 6)
            {
                return new Registration(e, Math.Sqrt((tx * tx) + (ty * ty)), Miss(worst), rows.Count);
            }
            rows.Remove(worst);
        }
    }

    private static (double Tx, double Ty, double E) Fit(List<(double Px, double Py, double Sx, double Sy)> rows)
    {
        using var design = new Mat(rows.Count * 2, 3, MatType.CV_64FC1, Scalar.All(0));
        using var rhs = new Mat(rows.Count * 2, 1, MatType.CV_64FC1);
        for (var i = 0; i < rows.Count; i++)
        {
            design.Set(2 * i, 0, 1.0);
            design.Set(2 * i, 2, rows[i].Px);
            rhs.Set(2 * i, 0, rows[i].Sx);
            design.Set((2 * i) + 1, 1, 1.0);
            design.Set((2 * i) + 1, 2, rows[i].Py);
            rhs.Set((2 * i) + 1, 0, rows[i].Sy);
        }
        using var solution = new Mat();
        Cv2.Solve(design, rhs, solution, DecompTypes.SVD);
        return (solution.At<double>(0, 0), solution.At<double>(1, 0), solution.At<double>(2, 0));
    }

    /// <summary>
    /// A tile as CV_64F, its fine texture only: points off the breech-face plane (crater, pocket, head face: outside
    /// the stack's range) or invalid (NaN) are set to the plane's mean, and the form is taken out by a Gaussian high-pass.
    /// </summary>
    private static Mat Prepared(Mat image, Mat? truthHeights, Rect rect)
    {
        using var roi = new Mat(image, rect);
        var tile = new Mat();
        roi.ConvertTo(tile, MatType.CV_64FC1);
        using var valid = new Mat();
        Cv2.Compare(tile, tile, valid, CmpTypes.EQ);
        if (truthHeights is not null)
        {
            using var truthRoi = new Mat(truthHeights, rect);
            using var plane = new Mat();
            Cv2.InRange(truthRoi, new Scalar(-55), new Scalar(-25), plane);
            Cv2.BitwiseAnd(valid, plane, valid);
        }
        var mean = Cv2.CountNonZero(valid) == 0 ? 0 : Cv2.Mean(tile, valid).Val0;
        using var invalid = new Mat();
        Cv2.BitwiseNot(valid, invalid);
        tile.SetTo(new Scalar(mean), invalid);
        using var form = new Mat();
        Cv2.GaussianBlur(tile, form, new Size(0, 0), 8);
        Cv2.Subtract(tile, form, tile);
        return tile;
    }
}
