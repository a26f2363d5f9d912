using Acquisition.HardwareSim.Synthetic;
using Acquisition.Core.Units;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Imaging.Tests;

/// <summary>Runs a synthetic stack through the stacker, as the station would: one frame at a time.</summary>
internal static class StackRun
{
    public sealed record Settings(double ZStart = -30, double ZStep = 2, int Count = 31, double ReadNoise = 0.01, int BitDepth = 8,
        double JitterPixels = 0, double MagnificationPerMicrometre = 0, int Seed = 1);

    public static FocusStackResult Run(SyntheticStack scene, Settings s, FocusStackerOptions options) => Run(scene, s, options, out _);

    /// <summary>Runs the stack; <paramref name="jitter"/> receives the (x, y) shift injected into each slice.</summary>
    public static FocusStackResult Run(SyntheticStack scene, Settings s, FocusStackerOptions options, out IReadOnlyList<(double X, double Y)> jitter) =>
        Run(scene, s, options, null, out jitter);

    /// <summary>As above; <paramref name="stageDone"/> sees the stacker's internal stage events (which path ran).</summary>
    public static FocusStackResult Run(SyntheticStack scene, Settings s, FocusStackerOptions options, Action<string>? stageDone, out IReadOnlyList<(double X, double Y)> jitter)
    {
        var injected = new List<(double X, double Y)>();
        jitter = injected;
        using var stacker = new StreamingFocusStacker(options) { StageDone = stageDone };
        var random = new Random(s.Seed);
        for (int i = 0; i < s.Count; i++)
        {
            double z = s.ZStart + i * s.ZStep;
            double jx = i == 0 ? 0 : (random.NextDouble() * 2 - 1) * s.JitterPixels;
            double jy = i == 0 ? 0 : (random.NextDouble() * 2 - 1) * s.JitterPixels;
            injected.Add((jx, jy));
            double m = 1 + s.MagnificationPerMicrometre * (z - s.ZStart);
            using var frame = scene.RenderFrame(z, m, jx, jy, s.ReadNoise, s.BitDepth, (ulong)(s.Seed * 1000 + i));
            stacker.Add(frame, s.BitDepth, new Micrometres(z));
        }
        return stacker.Complete();
    }

    /// <summary>The central region, clear of the border that the focus window and the warps touch.</summary>
    public static Mat CentralMask(int width, int height, int border)
    {
        var mask = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
        mask[new Rect(border, border, width - 2 * border, height - 2 * border)].SetTo(Scalar.All(255));
        return mask;
    }
}
