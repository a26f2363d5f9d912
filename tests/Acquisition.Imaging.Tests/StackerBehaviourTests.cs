using Acquisition.HardwareSim.Synthetic;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

public sealed class StackerBehaviourTests
{
    private static Micrometres Um(double v) => new(v);

    /// <summary>Adds <paramref name="count"/> clean slices from z = −4 µm in 2 µm steps; each must register.</summary>
    private static void AddRegisteredSlices(StreamingFocusStacker stacker, SyntheticStack scene, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using var frame = scene.RenderFrame(-4 + 2 * i, 1, 0, 0, 0.01, 8, (ulong)i);
            Assert.True(stacker.Add(frame, 8, Um(-4 + 2 * i)).Succeeded);
        }
    }

    [Fact]
    public void Pixel_state_does_not_grow_with_the_number_of_slices()
    {
        using var scene = SyntheticStack.Create(128, 128, seed: 3);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        var sizes = new List<long>();
        for (int i = 0; i < 48; i++)
        {
            using var frame = scene.RenderFrame(-40 + 2 * i, 1, 0, 0, 0.01, 8, (ulong)i);
            stacker.Add(frame, 8, Um(-40 + 2 * i));
            sizes.Add(stacker.PixelStateBytes);
        }
        // After the z-smoothing rings have filled (at most 2·(9 + 1) slices), every later slice leaves the state exactly as large.
        Assert.All(sizes.Skip(2 * StreamingFocusStacker.MaxSmoothingBoxSlices + 2), s => Assert.Equal(sizes[2 * StreamingFocusStacker.MaxSmoothingBoxSlices + 2], s));
        // And that state is a fixed number of frame-sized buffers, far below keeping the 48 slices as float.
        Assert.True(sizes[^1] < 48L * 128 * 128 * 4, $"State {sizes[^1]} bytes looks like it keeps slices.");
        using var result = stacker.Complete();
        Assert.Equal(48, result.Statistics.SliceCount);
    }

    [Fact]
    public void Pixel_state_is_the_same_at_a_fine_and_a_coarse_z_step()
    {
        // The memory target compares 64 slices at 1 µm with 16 at 4 µm: the z-smoothing state must not depend on the step.
        using var scene = SyntheticStack.Create(128, 128, seed: 3);
        long StateAfter(double step, int slices)
        {
            using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
            for (int i = 0; i < slices; i++)
            {
                double z = -slices / 2.0 * step + step * i;
                using var frame = scene.RenderFrame(z, 1, 0, 0, 0.01, 8, (ulong)i);
                stacker.Add(frame, 8, Um(z));
            }
            long bytes = stacker.PixelStateBytes;
            using var result = stacker.Complete();
            Assert.Equal(slices, result.Statistics.SliceCount);
            return bytes;
        }
        long fine = StateAfter(1, 64), coarse = StateAfter(4, 16);
        Assert.Equal(coarse, fine);
    }

    [Theory]
    [InlineData(8, InterpolationFlags.Linear)]
    [InlineData(12, InterpolationFlags.Linear)]
    [InlineData(8, InterpolationFlags.Cubic)]
    [InlineData(12, InterpolationFlags.Cubic)]
    public void The_two_stage_pipeline_gives_bit_identical_results(int bitDepth, InterpolationFlags warp)
    {
        // Jitter and a magnification drift, so every warp runs; 256 px keeps all five pyramid levels.
        using var scene = SyntheticStack.Create(256, 256, seed: 8);
        var settings = new StackRun.Settings(ZStart: -30, ZStep: 2, Count: 31, BitDepth: bitDepth, JitterPixels: 1.5, MagnificationPerMicrometre: 1e-5, Seed: 3);
        FocusStackerOptions Options(bool pipeline) => new()
        {
            PipelineStages = pipeline,
            Magnification = new MagnificationModel(1e-5, settings.ZStart),
            WarpInterpolation = warp,
        };
        using var sequential = StackRun.Run(scene, settings, Options(false));
        using var pipelined = StackRun.Run(scene, settings, Options(true));

        Assert.True(sequential.FusedImage.GetArray(out ushort[] fusedA));
        Assert.True(pipelined.FusedImage.GetArray(out ushort[] fusedB));
        Assert.Equal(fusedA, fusedB);
        // float.Equals is exact and treats NaN (an invalid height) as equal to NaN.
        Assert.True(sequential.HeightMapMicrometres.GetArray(out float[] heightA));
        Assert.True(pipelined.HeightMapMicrometres.GetArray(out float[] heightB));
        Assert.Equal(heightA, heightB);
        Assert.True(sequential.Confidence.GetArray(out float[] confidenceA));
        Assert.True(pipelined.Confidence.GetArray(out float[] confidenceB));
        Assert.Equal(confidenceA, confidenceB);
        Assert.Equal(sequential.Registrations, pipelined.Registrations);
        // Not a degenerate stack: most heights are valid and the registrations did work.
        Assert.True(sequential.Statistics.ValidFraction > 0.5, $"valid fraction {sequential.Statistics.ValidFraction}");
        Assert.Contains(sequential.Registrations, r => Math.Abs(r.ShiftXPixels) > 0.5);
    }

    [Fact]
    public void A_slice_that_cannot_be_registered_throws_by_default()
    {
        using var scene = SyntheticStack.Create(128, 128, seed: 4);
        using var other = SyntheticStack.Create(128, 128, seed: 5);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        AddRegisteredSlices(stacker, scene, 3);
        using var foreign = other.RenderFrame(2, 1, 0, 0, 0.01, 8, 9);
        var ex = Assert.Throws<RegistrationFailedException>(() => stacker.Add(foreign, 8, Um(2)));
        Assert.Equal(3, ex.Registration.Index);
        Assert.False(ex.Registration.Succeeded);
        Assert.Contains("redo the stack", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flagged_registration_failure_is_counted_and_rejected_by_quality()
    {
        using var scene = SyntheticStack.Create(128, 128, seed: 4);
        using var other = SyntheticStack.Create(128, 128, seed: 5);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag });
        for (int i = 0; i < 12; i++)
        {
            using var frame = i == 6 ? other.RenderFrame(-12 + 2 * i, 1, 0, 0, 0.01, 8, 77) : scene.RenderFrame(-12 + 2 * i, 1, 0, 0, 0.01, 8, (ulong)i);
            var registration = stacker.Add(frame, 8, Um(-12 + 2 * i));
            Assert.Equal(i != 6, registration.Succeeded);
        }
        using var result = stacker.Complete();
        Assert.Equal(1, result.Statistics.FailedRegistrations);
        var quality = QualityMetrics.Evaluate(result, null, QualityThresholds.Default);
        Assert.False(quality.Accepted);
        Assert.Contains(quality.Reasons, r => r.Contains("could not be registered", StringComparison.Ordinal));
    }

    [Fact]
    public void A_slice_too_faint_to_register_is_held_and_reported_and_the_next_textured_one_registers()
    {
        // Noise only, as far from focus: neither the coarse first match nor the full search may find a peak in it,
        // and even a perfect match could not score, so the slice keeps its neighbour's position and says so.
        using var scene = SyntheticStack.Create(256, 256, seed: 4);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        AddRegisteredSlices(stacker, scene, 4);
        var before = stacker.Registrations[^1];
        using var flat = new Mat(256, 256, MatType.CV_8UC1);
        Cv2.Randn(flat, Scalar.All(120), Scalar.All(2.5));
        var held = stacker.Add(flat, 8, Um(4));
        Assert.True(held.Held);
        Assert.True(held.Succeeded);
        Assert.True(held.Response < 0.3, $"response {held.Response}");
        Assert.Equal((before.ShiftXPixels, before.ShiftYPixels), (held.ShiftXPixels, held.ShiftYPixels));
        // The reference stays the last textured slice, so the next one registers against it.
        using var next = scene.RenderFrame(6, 1, 0.7, -0.4, 0.01, 8, 9);
        var registered = stacker.Add(next, 8, Um(6));
        Assert.True(registered.Succeeded && !registered.Held, registered.FailureReason);
        Assert.InRange(registered.ShiftXPixels, 0.4, 1.0);
        Assert.InRange(registered.ShiftYPixels, -0.7, -0.1);
        using var result = stacker.Complete();
        Assert.Equal(1, result.Statistics.HeldRegistrations);
        Assert.Equal(0, result.Statistics.FailedRegistrations);
        var quality = QualityMetrics.Evaluate(result, null, QualityThresholds.Default);
        Assert.Equal(1, quality.HeldRegistrations);
    }

    [Fact]
    public void A_foreign_slice_of_fine_texture_fails_and_is_not_held()
    {
        // Pixel-scale texture that does not match: the noise estimator takes such texture for noise, so judged by its
        // own estimate the slice would look faint and be held. The noise floor is the smallest estimate so far.
        using var scene = SyntheticStack.Create(256, 256, seed: 4);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions { OnRegistrationFailure = RegistrationFailurePolicy.Flag });
        AddRegisteredSlices(stacker, scene, 4);
        using var foreign = new Mat(256, 256, MatType.CV_8UC1);
        Cv2.Randu(foreign, Scalar.All(40), Scalar.All(215));
        var r = stacker.Add(foreign, 8, Um(4));
        Assert.False(r.Held, "a textured slice that does not match must fail, not be held");
        Assert.False(r.Succeeded);
        using var result = stacker.Complete();
        Assert.Equal((1, 0), (result.Statistics.FailedRegistrations, result.Statistics.HeldRegistrations));
    }

    [Fact]
    public void A_faint_but_true_match_is_not_called_ambiguous()
    {
        // Heavy noise over a weak texture: the peak is low and the score map's other bumps are noise. The competing-peak
        // ratio alone called every such match ambiguous (1 − 0.4 ≥ 0.5 · (1 − 0.05)). A crop under 128 px is searched
        // whole, where the check runs on the full-resolution score map.
        using var scene = SyntheticStack.Create(112, 112, seed: 8);
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        var responses = new List<double>();
        for (int i = 0; i < 6; i++)
        {
            using var frame = scene.RenderFrame(-1 + 0.4 * i, 1, 0.3 * i, -0.2 * i, 0.07, 8, (ulong)(40 + i));
            var r = stacker.Add(frame, 8, Um(-1 + 0.4 * i));
            Assert.True(r.Succeeded && !r.Held, $"slice {i}: {r.FailureReason}{(r.Held ? "held" : "")} (response {r.Response:0.000})");
            responses.Add(r.Response);
            if (i > 0)
            {
                Assert.InRange(r.ShiftXPixels, 0.3 * i - 0.5, 0.3 * i + 0.5);
                Assert.InRange(r.ShiftYPixels, -0.2 * i - 0.5, -0.2 * i + 0.5);
            }
        }
        Assert.True(responses.Skip(1).Max() < 0.66, $"the test needs weak peaks: {string.Join(", ", responses.Select(r => r.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public void Bad_input_is_refused_with_a_clear_message()
    {
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions());
        using var a = new Mat(64, 64, MatType.CV_8UC1, Scalar.All(100));
        using var b = new Mat(64, 80, MatType.CV_8UC1, Scalar.All(100));
        using var f = new Mat(64, 64, MatType.CV_32FC1, Scalar.All(0.5));
        stacker.Add(a, 8, Um(0));
        var size = Assert.Throws<ArgumentException>(() => stacker.Add(b, 8, Um(2)));
        Assert.Contains("same size", size.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => stacker.Add(f, 8, Um(2)));
        Assert.Throws<ArgumentException>(() => stacker.Add(a, 8, Um(0)));
        var few = Assert.Throws<InvalidOperationException>(() => stacker.Complete());
        Assert.Contains("at least 3 slices", few.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new StreamingFocusStacker(new FocusStackerOptions { FocusWindowPixels = 8 }));
        var check = Assert.Throws<ArgumentException>(() => new StreamingFocusStacker(new FocusStackerOptions { MaxCrossCheckDisagreementPixels = 0 }));
        Assert.Contains("MaxCrossCheckDisagreementPixels", check.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Z_must_be_monotonic()
    {
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions { Register = false });
        using var a = new Mat(64, 64, MatType.CV_8UC1, Scalar.All(100));
        stacker.Add(a, 8, Um(0));
        stacker.Add(a, 8, Um(2));
        var ex = Assert.Throws<ArgumentException>(() => stacker.Add(a, 8, Um(1)));
        Assert.Contains("monotonic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Camera_frames_in_Mono8_and_Mono12_give_the_same_heights()
    {
        using var scene = SyntheticStack.Create(160, 160, seed: 6);
        using var s8 = new StreamingFocusStacker(new FocusStackerOptions());
        using var s12 = new StreamingFocusStacker(new FocusStackerOptions());
        // ±28 µm: 11 µm beyond the surface's ±17 µm, clear of the end guard of the z-smoothing.
        for (int i = 0; i < 29; i++)
        {
            double z = -28 + 2 * i;
            using var m8 = scene.RenderFrame(z, 1, 0, 0, 0.01, 8, (ulong)i);
            using var m12 = scene.RenderFrame(z, 1, 0, 0, 0.01, 12, (ulong)i);
            s8.Add(ToFrame(m8, PixelFormat.Mono8, i), Um(z));
            s12.Add(ToFrame(m12, PixelFormat.Mono12, i), Um(z));
        }
        using var r8 = s8.Complete();
        using var r12 = s12.Complete();
        using var mask = StackRun.CentralMask(160, 160, 20);
        var (rms8, _) = ImageComparison.HeightError(r8.HeightMapMicrometres, scene.TrueHeightMicrometres, mask);
        var (rms12, _) = ImageComparison.HeightError(r12.HeightMapMicrometres, scene.TrueHeightMicrometres, mask);
        Assert.True(rms8 < 0.6 && rms12 < 0.6, $"8-bit {rms8:0.000} µm, 12-bit {rms12:0.000} µm");
        Assert.Equal(MatType.CV_16UC1, r12.FusedImage.Type());
        // Both fused images are on the 16-bit full scale: their means agree although the inputs differ 16-fold.
        Assert.InRange(Cv2.Mean(r12.FusedImage).Val0 / Cv2.Mean(r8.FusedImage).Val0, 0.98, 1.02);
    }

    private static Frame ToFrame(Mat image, PixelFormat format, int sequence)
    {
        var bytes = new byte[image.Total() * image.ElemSize()];
        System.Runtime.InteropServices.Marshal.Copy(image.Data, bytes, 0, bytes.Length);
        return new Frame(image.Width, image.Height, format, bytes, sequence, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(5));
    }
}
