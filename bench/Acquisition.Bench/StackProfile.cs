using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Synthetic;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Bench;

/// <summary>
/// `acquisition-bench stack-profile`: process CPU time (all threads, getrusage) per stage of the streaming stacker's
/// per-slice work, and of Complete(). CPU time rather than wall time, because the build machine is shared.
/// Options: --width --height --slices --jitter (sub-pixel shifts and a magnification drift, so the warps run), --cubic
/// (WarpInterpolation = Cubic: the separable Keys cubic of AxisAlignedWarp instead of its bilinear warp),
/// --pipeline (the stacker's two-stage pipeline, as the station runs it: totals only, since its stages overlap;
/// without it the stages run in sequence and each is timed).
/// </summary>
internal static partial class StackProfile
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static int Run(string[] args)
    {
        int width = Arg(args, "--width", 2448);
        int height = Arg(args, "--height", 2048);
        int slices = Arg(args, "--slices", 24);
        bool jitter = args.Contains("--jitter");
        bool pipeline = args.Contains("--pipeline");
        Console.WriteLine($"# stack profile: {width}×{height} mono8, {slices} slices, 2 µm step, jitter {(jitter ? "on" : "off")}, pipeline {(pipeline ? "on" : "off")}; process CPU (user+sys, all threads)");
        using var scene = SyntheticStack.Create(width, height, seed: 11, maxDefocusMicrometres: 50);
        double zStart = -(slices - 1);
        var frames = new List<Mat>();
        var random = new Random(5);
        for (int i = 0; i < slices; i++)
        {
            double magnification = jitter ? 1 + 2e-5 * i : 1;
            double jx = jitter ? random.NextDouble() * 3 - 1.5 : 0, jy = jitter ? random.NextDouble() * 3 - 1.5 : 0;
            frames.Add(scene.RenderFrame(zStart + 2 * i, magnification, jx, jy, 0.01, 8, (ulong)(100 + i)));
        }
        var options = new FocusStackerOptions { PipelineStages = pipeline };
        if (args.Contains("--cubic"))
        {
            options.WarpInterpolation = OpenCvSharp.InterpolationFlags.Cubic;
        }
        if (jitter)
        {
            options.Magnification = new MagnificationModel(2e-5 / 2, zStart);
        }
        for (int pass = 1; pass <= 2; pass++)
        {
            var stages = new Dictionary<string, double>();
            using var stacker = new StreamingFocusStacker(options);
            double last = CpuMs();
            if (!pipeline)
            {
                stacker.StageDone = stage =>
                {
                    double now = CpuMs();
                    stages[stage] = stages.GetValueOrDefault(stage) + now - last;
                    last = now;
                };
            }
            double start = CpuMs();
            var wall = Stopwatch.StartNew();
            for (int i = 0; i < slices; i++)
            {
                last = CpuMs();
                stacker.Add(frames[i], 8, new Micrometres(zStart + 2 * i));
            }
            double beforeComplete = CpuMs();
            last = beforeComplete;
            using var result = stacker.Complete();
            double end = CpuMs();
            wall.Stop();
            Console.WriteLine(string.Format(Inv, "pass {0}: {1:0.0} ms CPU/slice ((Σ Add + Complete) / N), Add {2:0.0} ms CPU/slice, Complete {3:0} ms CPU ({4:0} ms wall); wall {5:0.0} ms/slice",
                pass, (end - start) / slices, (beforeComplete - start) / slices, end - beforeComplete, result.Statistics.CompleteTime.TotalMilliseconds, wall.Elapsed.TotalMilliseconds / slices));
            foreach (var (stage, ms) in stages)
            {
                Console.WriteLine(stage.StartsWith("complete", StringComparison.Ordinal)
                    ? string.Format(Inv, "  {0,-20} {1,6:0.0} ms CPU (once)", stage, ms)
                    : string.Format(Inv, "  {0,-20} {1,6:0.0} ms CPU/slice", stage, ms / slices));
            }
        }
        foreach (var f in frames)
        {
            f.Dispose();
        }
        return 0;
    }

    /// <summary>User + system CPU of the whole process in ms, at microsecond resolution.</summary>
    internal static double CpuMs()
    {
        if (GetRUsage(0, out var usage) != 0)
        {
            throw new InvalidOperationException("getrusage failed");
        }
        return (usage.UserSeconds + usage.SystemSeconds) * 1000.0 + (usage.UserMicroseconds + usage.SystemMicroseconds) / 1000.0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public fixed long Rest[14];
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRUsage(int who, out RUsage usage);

    private static int Arg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], Inv) : fallback;
    }
}
