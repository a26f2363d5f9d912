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
/// with z (the stack, fused image and height map, lands on the first slice's pixel grid, where the truth is) and the camera–stage
/// rotation (an offset seen in the image becomes the stage move that brings the feature onto the optical axis).
/// </summary>
public sealed class CalibrationGeometryTests(ITestOutputHelper output)
{
    // A field of the breech face between the firing-pin crater and the primer pocket, as the imaging tests use.
    private const double StageX = 0, StageY = 1600;
    private const int Sensor = 768;
    private static readonly LightingState Light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.6);

    [Fact]
    public async Task The_recorded_magnification_change_puts_the_stacked_breech_face_on_the_truth_grid()
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

        output.WriteLine($"stacked breech face (fused image) against the truth on the first slice's grid: with the calibration {with}; without {without}");
        // Measured (2026-11-23; the simulator and the stacker are deterministic): +1.006 % without the correction
        // (20 tiles), −0.005 % and 0.13 px with it (23 tiles, residuals ≤ 0.13 px). The expected growth without is
        // m(−40 µm) / m(−66 µm) − 1 = 1.07 %, 2.6 px at the outer tiles.
        Assert.True(without.ScaleError > 0.008, $"without the correction the stack's grid should be scaled by about 1 %: {without}");
        Assert.True(Math.Abs(with.ScaleError) < 0.001 && with.OffsetPixels < 1.0,
            $"with the correction the stack's grid should be the truth's (under 0.1 % scale, 1 px offset): {with} (without: {without})");
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

    /// <summary>
    /// Renders the stack (z −66 to −14 µm at 2 µm, over the breech face's −40 µm plane), stacks it with
    /// <paramref name="magnification"/>, and registers the fused image to the true all-in-focus image on the first
    /// slice's grid, which the height map shares (<see cref="GridRegistration"/>).
    /// </summary>
    private static GridRegistration StackAndRegister(SurfaceScene scene, SimulatedCameraOptions camera, MagnificationModel magnification)
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
        using var truthImage = new Mat();
        using (var shift = Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[] { 1, 0, first!.JitterXPixels, 0, 1, first.JitterYPixels }))
        {
            Cv2.WarpAffine(groundTruth.AllInFocus, truthImage, shift, groundTruth.AllInFocus.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
        }
        return GridRegistration.Of(result.FusedImage, truthImage);
    }
}
