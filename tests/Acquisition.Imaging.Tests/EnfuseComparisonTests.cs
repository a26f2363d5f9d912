using System.Diagnostics;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// The fused-image target as a test: on the same jitter-free stack our fused image must match the true
/// all-in-focus image at least as well as enfuse 4.2's standard focus-stacking call (PSNR and SSIM). Needs the
/// `enfuse` binary (apt package enfuse), which CI installs.
/// </summary>
public sealed class EnfuseComparisonTests(ITestOutputHelper output) : IDisposable
{
    private const int Size = 256;
    private const int Border = 24;
    private readonly string _work = Path.Combine(Path.GetTempPath(), "acq-enfuse-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Fact]
    public async Task Fused_image_is_at_least_as_good_as_enfuse_on_the_same_stack()
    {
        using var scene = SyntheticStack.Create(Size, Size, seed: 41);
        var settings = new StackRun.Settings();
        Directory.CreateDirectory(_work);
        var files = new List<string>();
        for (int i = 0; i < settings.Count; i++)
        {
            // The same frames StackRun feeds the stacker (same z, noise seed), as files for enfuse.
            using var frame = scene.RenderFrame(settings.ZStart + i * settings.ZStep, 1, 0, 0, settings.ReadNoise, settings.BitDepth, (ulong)(settings.Seed * 1000 + i));
            var file = Path.Combine(_work, $"slice_{i:000}.tif");
            Assert.True(Cv2.ImWrite(file, frame));
            files.Add(file);
        }
        using var ours = StackRun.Run(scene, settings, new FocusStackerOptions());
        using var mask = StackRun.CentralMask(Size, Size, Border);
        await AssertAtLeastAsGoodAsEnfuseAsync("synthetic", ours, files, scene.AllInFocus, 1, mask);
    }

    [Fact]
    public async Task On_the_camera_simulators_breech_face_the_fused_image_is_at_least_as_good_as_enfuse()
    {
        // The same target on the hardware simulator's frames: the default casing's breech face (SimulatorStackTests'
        // field and mask), pixel apertures integrated, 1 % read noise, 27 slices at 2 µm, jitter and drift off because
        // enfuse cannot align. Each side against the all-in-focus truth on the frames' grid.
        var options = SimulatedCameraOptions.Small with { JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        using var scene = SurfacePresets.DefaultCasing(new SceneExtent(1000, SimulatorStackTests.StageX, SimulatorStackTests.StageY));
        using var renderer = new FrameRenderer(scene, options);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        Directory.CreateDirectory(_work);
        var files = new List<string>();
        long sequence = 0;
        for (double z = -66; z <= -14 + 1e-9; z += 2)
        {
            var position = StagePosition.FromMicrometres(SimulatorStackTests.StageX, SimulatorStackTests.StageY, z);
            var (data, _) = renderer.Render(_ => new ExposureSample(position, SimulatorStackTests.Light), options.Exposure, options.Gain, options.Format, sequence);
            var frame = new Frame(options.Width, options.Height, options.Format, data, sequence, DateTimeOffset.UnixEpoch, options.Exposure);
            using (var image = Mat.FromPixelData(options.Height, options.Width, MatType.CV_8UC1, data))
            {
                var file = Path.Combine(_work, $"slice_{sequence:000}.tif");
                Assert.True(Cv2.ImWrite(file, image));
                files.Add(file);
            }
            stacker.Add(frame, new Micrometres(z));
            sequence++;
        }
        using var ours = stacker.Complete();
        using var truth = renderer.GroundTruth(StagePosition.FromMicrometres(SimulatorStackTests.StageX, SimulatorStackTests.StageY, -66), SimulatorStackTests.Light,
            options.Exposure, options.Gain, options.Format);
        using var mask = SimulatorStackTests.BreechFaceMask(truth.HeightMicrometres);
        await AssertAtLeastAsGoodAsEnfuseAsync($"camera simulator, breech face ({Cv2.CountNonZero(mask)} px)", ours, files, truth.AllInFocus, 255, mask);
    }

    /// <summary>Runs enfuse on the slice files and asserts that our fused image matches the truth at least as well (PSNR and SSIM inside the mask).</summary>
    private async Task AssertAtLeastAsGoodAsEnfuseAsync(string stack, FocusStackResult ours, IEnumerable<string> files, Mat truth, double truthFullScale, Mat mask)
    {
        var fusedFile = Path.Combine(_work, "enfuse.tif");
        await RunEnfuseAsync(fusedFile, files);
        using var enfused = Cv2.ImRead(fusedFile, ImreadModes.Grayscale | ImreadModes.AnyDepth);
        Assert.False(enfused.Empty(), "enfuse wrote no readable image.");
        double enfuseFullScale = enfused.Depth() == MatType.CV_8U ? 255 : 65535;

        double psnrOurs = ImageComparison.Psnr(ours.FusedImage, 65535, truth, truthFullScale, mask);
        double ssimOurs = ImageComparison.Ssim(ours.FusedImage, 65535, truth, truthFullScale, mask);
        double psnrEnfuse = ImageComparison.Psnr(enfused, enfuseFullScale, truth, truthFullScale, mask);
        double ssimEnfuse = ImageComparison.Ssim(enfused, enfuseFullScale, truth, truthFullScale, mask);
        output.WriteLine($"{stack}: ours PSNR {psnrOurs:0.00} dB SSIM {ssimOurs:0.0000}; enfuse PSNR {psnrEnfuse:0.00} dB SSIM {ssimEnfuse:0.0000}");

        // Guard that enfuse really fused (a failed run would make the comparison meaningless).
        Assert.True(psnrEnfuse > 30, $"enfuse's result is implausibly poor ({psnrEnfuse:0.00} dB).");
        Assert.True(psnrOurs >= psnrEnfuse, $"Fused PSNR {psnrOurs:0.00} dB is below enfuse's {psnrEnfuse:0.00} dB.");
        Assert.True(ssimOurs >= ssimEnfuse, $"Fused SSIM {ssimOurs:0.0000} is below enfuse's {ssimEnfuse:0.0000}.");
    }

    private static async Task RunEnfuseAsync(string outFile, IEnumerable<string> slices)
    {
        // The standard focus-stack call from the issue.
        var psi = new ProcessStartInfo("enfuse") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--exposure-weight=0", "--saturation-weight=0", "--contrast-weight=1", "--hard-mask", "-o", outFile })
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var f in slices)
        {
            psi.ArgumentList.Add(f);
        }
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("This test compares against enfuse 4.2: install it (apt-get install enfuse).", e);
        }
        using (process)
        {
            // A failure guard only, generous for a loaded machine.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, "enfuse failed: " + await stderr);
        }
    }
}
