using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Tests.Fixtures;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests;

public sealed class CameraCalibrationTargetTests
{
    [Fact]
    public async Task Stage_micrometer_lines_are_spaced_by_the_true_division_over_the_true_pixel_size()
    {
        // Configured 2.50 µm/px on the station; the bench truly has 2.47, and the target's divisions are 50 µm.
        var options = SimulatedCameraOptions.Small with { PixelSizeMicrometres = 2.47, JitterRmsPixels = 0 };
        await using var rig = new CameraRig(SurfacePresets.StageMicrometer(divisionMicrometres: 50, lineWidthMicrometres: 8, halfWidthMicrometres: 1000), options);
        rig.Bench.Place(0, -250, 0);
        rig.Bench.Light(LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.25));

        using var image = await rig.ReadImageAsync();
        // Average the rows crossing the lines into one profile and find the dark line centres.
        using var profile = new Mat();
        Cv2.Reduce(new Mat(image, new Rect(0, 150, options.Width, 100)), profile, ReduceDimension.Row, ReduceTypes.Avg, MatType.CV_32F);
        var values = Enumerable.Range(0, options.Width).Select(u => profile.At<float>(0, u)).ToArray();
        var threshold = values.Average() * 0.75;
        var centres = new List<double>();
        for (var u = 1; u < values.Length - 1;)
        {
            if (values[u] >= threshold)
            {
                u++;
                continue;
            }
            var start = u;
            double weight = 0, sum = 0;
            while (u < values.Length - 1 && values[u] < threshold)
            {
                var w = threshold - values[u];
                weight += w;
                sum += w * u;
                u++;
            }
            if (start > 1 && u < values.Length - 2)
            {
                centres.Add(sum / weight);
            }
        }
        var spacing = (centres[^1] - centres[0]) / (centres.Count - 1);

        Assert.True(centres.Count >= 20, $"found {centres.Count} lines");
        Assert.InRange(spacing, (50 / 2.47) - 0.05, (50 / 2.47) + 0.05);
    }
}
