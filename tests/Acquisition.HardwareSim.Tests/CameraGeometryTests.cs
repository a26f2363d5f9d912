using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraGeometryTests
{
    [Fact]
    public async Task Dot_grid_renders_with_the_hidden_true_pixel_size_and_rotation()
    {
        // The station would be configured with 2.50 µm/px and no rotation; the bench truly has 2.63 and 1.5°.
        var options = SimulatedCameraOptions.Small with { PixelSizeMicrometres = 2.63, CameraToStageRotationDegrees = 1.5 };
        await using var rig = new CameraRig(SurfacePresets.DotGrid(pitchMicrometres: 100, halfWidthMicrometres: 1200), options);
        rig.Bench.Place(13, -7, 0);

        using var image = await rig.ReadImageAsync();
        var dots = ImageMeasures.DarkBlobCentroids(image);
        var (pitch, angle) = ImageMeasures.LatticeRow(dots);

        Assert.True(dots.Count > 80, $"found {dots.Count} dots");
        Assert.InRange(pitch, (100 / 2.63) - 0.1, (100 / 2.63) + 0.1);
        Assert.InRange(angle, 1.5 - 0.15, 1.5 + 0.15);
    }

    [Fact]
    public async Task Jitter_moves_frames_when_on_and_not_when_off()
    {
        foreach (var jitter in new[] { 0.25, 0.0 })
        {
            var options = SimulatedCameraOptions.Small with { JitterRmsPixels = jitter };
            await using var rig = new CameraRig(SurfacePresets.DotGrid(halfWidthMicrometres: 1000), options);
            rig.Bench.Place(0, 0, 0);
            using var first = await rig.ReadImageAsync();
            var shifts = new List<double>();
            for (var i = 0; i < 5; i++)
            {
                var frame = await rig.ReadAsync();
                using var next = CameraRig.ToMat(frame);
                var shift = Cv2.PhaseCorrelate(first, next, new Mat(), out _);
                shifts.Add(Math.Sqrt((shift.X * shift.X) + (shift.Y * shift.Y)));
                Assert.True(rig.Camera.TryGetFrameTruth(frame.Sequence, out var truth));
                Assert.Equal(jitter == 0, truth.JitterXPixels == 0 && truth.JitterYPixels == 0);
            }
            if (jitter > 0)
            {
                Assert.True(shifts.Max() > 0.15, $"jitter on, but frames moved at most {shifts.Max():0.000} px");
            }
            else
            {
                Assert.True(shifts.Max() < 0.08, $"jitter off, but frames moved {shifts.Max():0.000} px");
            }
        }
    }

    [Fact]
    public async Task Magnification_changes_with_focus_height_when_on_and_not_when_off()
    {
        foreach (var k in new[] { 3.3e-5, 0.0 })
        {
            var options = SimulatedCameraOptions.Small with { MagnificationChangePerMicrometre = k, JitterRmsPixels = 0 };
            await using var rig = new CameraRig(SurfacePresets.DotGrid(halfWidthMicrometres: 1000), options);
            var spreads = new List<double>();
            foreach (var z in new[] { 0.0, 300.0 })
            {
                using var truth = rig.Camera.GroundTruth(StagePosition.FromMicrometres(0, 0, z), LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 1));
                var dots = ImageMeasures.DarkBlobCentroids(truth.AllInFocus);
                var (pitch, _) = ImageMeasures.LatticeRow(dots);
                spreads.Add(pitch);
            }
            var ratio = spreads[1] / spreads[0];
            Assert.InRange(ratio, 1 + (300 * k) - 0.001, 1 + (300 * k) + 0.001);
        }
    }
}
