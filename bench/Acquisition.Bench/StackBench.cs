using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Acquisition.Core.Units;
using Acquisition.Imaging.Quality;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Bench;

/// <summary>
/// `acquisition-bench stack`: speed, fused quality and depth accuracy of the streaming stacker against enfuse on the
/// same jitter-free stack, in one run, plus the peak working set of `acq stack` for 16 and 64 slices.
/// Options: --scene synthetic|camera (<see cref="BenchStackSource"/>) --width --height --slices --work DIR --acq PATH/acq.dll --skip-enfuse --skip-memory --sequential (ours
/// without FocusStackerOptions.PipelineStages, which is on by default; --pipeline is accepted and is the default).
/// --passes N (default 5) and --enfuse-runs M (default 3): the ratio is of the medians (ours over passes 2…N).
/// </summary>
internal static class StackBench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        int width = IntArg(args, "--width", 2448);
        int height = IntArg(args, "--height", 2048);
        int slices = IntArg(args, "--slices", 32);
        string work = StringArg(args, "--work", Path.Combine(Path.GetTempPath(), "acq-stack-bench-" + Environment.ProcessId.ToString(Inv)));
        bool skipEnfuse = args.Contains("--skip-enfuse");
        bool skipMemory = args.Contains("--skip-memory");
        bool pipeline = !args.Contains("--sequential");
        // Several passes and enfuse runs, reported with their median: on a shared 2-core machine one run of each can
        // differ by ±30 %, and a ratio of two single runs compounds that.
        int passes = Math.Max(2, IntArg(args, "--passes", 5));
        int enfuseRuns = Math.Max(1, IntArg(args, "--enfuse-runs", 3));
        Directory.CreateDirectory(work);
        using var scene = BenchStackSource.Create(StringArg(args, "--scene", "synthetic"), width, height, slices);
        Console.WriteLine($"# stack bench: {scene.Name}, {width}×{height} mono8, {slices} slices, 2 µm step, read noise 1 %, pipeline {(pipeline ? "on" : "off")}, work dir {work}");
        Console.WriteLine($"# machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");

        double zStart = scene.ZFirstMicrometres;
        var frames = new List<Mat>();
        var stackDir = Path.Combine(work, "stack");
        Directory.CreateDirectory(stackDir);
        var files = new List<string>();
        for (int i = 0; i < slices; i++)
        {
            var frame = scene.Render(zStart + 2 * i, (ulong)(100 + i));
            frames.Add(frame);
            var file = Path.Combine(stackDir, $"slice_{i:000}.tif");
            Cv2.ImWrite(file, frame);
            files.Add(file);
        }
        using var mask = scene.Mask();
        var (allInFocus, truthFullScale) = scene.AllInFocus;

        // The first pass includes JIT and native warm-up; the later ones are what a running station sees.
        var warm = new List<StackFigures>();
        for (int pass = 1; pass <= passes; pass++)
        {
            var figures = RunOurs(frames, zStart, scene, mask, pipeline);
            if (pass > 1)
            {
                warm.Add(figures);
            }
            Console.WriteLine(string.Format(Inv, "ours pass {0}: {1:0.0} ms/slice wall ((Σ Add + Complete) / N), {8:0.0} ms/slice CPU (all threads), Complete {2:0} ms, total {3:0.00} s; PSNR {4:0.00} dB SSIM {5:0.0000}; height RMS {6:0.000} µm, invalid {7:0.0} %",
                pass, figures.MsPerSlice, figures.CompleteMs, figures.TotalSeconds, figures.Psnr, figures.Ssim, figures.HeightRms, figures.InvalidPercent, figures.CpuMsPerSlice));
        }
        var ours = Median(warm, f => f.TotalSeconds);
        Console.WriteLine(string.Format(Inv, "ours, median of passes 2–{0}: {1:0.0} ms/slice wall (range {2:0.0}–{3:0.0}), {4:0.0} ms/slice CPU, Complete {5:0} ms",
            passes, ours.MsPerSlice, warm.Min(f => f.MsPerSlice), warm.Max(f => f.MsPerSlice), ours.CpuMsPerSlice, ours.CompleteMs));

        if (!skipEnfuse)
        {
            var outTif = Path.Combine(work, "enfuse.tif");
            File.Delete(outTif);
            var psi = new ProcessStartInfo("enfuse") { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "--exposure-weight=0", "--saturation-weight=0", "--contrast-weight=1", "--hard-mask", "-o", outTif })
            {
                psi.ArgumentList.Add(a);
            }
            foreach (var f in files)
            {
                psi.ArgumentList.Add(f);
            }
            var runs = new List<(TimeSpan Wall, TimeSpan Cpu)>();
            for (int run = 0; run < enfuseRuns; run++)
            {
                File.Delete(outTif);
                var sw = Stopwatch.StartNew();
                var childCpuBefore = ChildCpu();
                using var p = Process.Start(psi)!;
                var stderr = p.StandardError.ReadToEndAsync();
                await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
                await p.WaitForExitAsync().ConfigureAwait(false);
                var cpu = ChildCpu() - childCpuBefore;
                sw.Stop();
                if (p.ExitCode != 0)
                {
                    Console.WriteLine("enfuse failed: " + await stderr.ConfigureAwait(false));
                    return 1;
                }
                runs.Add((sw.Elapsed, cpu));
                Console.WriteLine(string.Format(Inv, "enfuse run {0}: {1:0.00} s wall, {2:0.0} ms/slice wall, {3:0.0} ms/slice CPU", run + 1, sw.Elapsed.TotalSeconds, sw.Elapsed.TotalMilliseconds / slices, cpu.TotalMilliseconds / slices));
            }
            var (enfuseWall, enfuseCpu) = runs.OrderBy(r => r.Wall).ElementAt(runs.Count / 2);
            using var enfused = Cv2.ImRead(outTif, ImreadModes.Grayscale | ImreadModes.AnyDepth);
            double full = enfused.Depth() == MatType.CV_8U ? 255 : 65535;
            double psnr = ImageComparison.Psnr(enfused, full, allInFocus, truthFullScale, mask);
            double ssim = ImageComparison.Ssim(enfused, full, allInFocus, truthFullScale, mask);
            Console.WriteLine(string.Format(Inv, "enfuse 4.2, median of {7} runs: {0:0.00} s wall, {1:0.0} ms/slice wall, {5:0.0} ms/slice CPU; PSNR {2:0.00} dB SSIM {3:0.0000}; enfuse/ours wall ratio {4:0.0}× (medians), CPU ratio {6:0.0}×",
                enfuseWall.TotalSeconds, enfuseWall.TotalMilliseconds / slices, psnr, ssim, enfuseWall.TotalSeconds / ours.TotalSeconds,
                enfuseCpu.TotalMilliseconds / slices, enfuseCpu.TotalMilliseconds / slices / ours.CpuMsPerSlice, enfuseRuns));
        }
        foreach (var f in frames)
        {
            f.Dispose();
        }
        frames.Clear();

        if (!skipMemory)
        {
            string acq = StringArg(args, "--acq", FindAcq());
            var dir64 = Path.Combine(work, "mem64");
            var dir16 = Path.Combine(work, "mem16");
            Directory.CreateDirectory(dir64);
            Directory.CreateDirectory(dir16);
            // 64 slices at 1 µm (16 of them at 4 µm) centred where the timed stack is.
            double zFirst = zStart + (slices - 1) - 31.5;
            for (int i = 0; i < 64; i++)
            {
                using var frame = scene.Render(zFirst + i, (ulong)(500 + i));
                Cv2.ImWrite(Path.Combine(dir64, $"s{i:000}.tif"), frame);
                if (i % 4 == 0)
                {
                    Cv2.ImWrite(Path.Combine(dir16, $"s{i:000}.tif"), frame);
                }
            }
            long peak16 = await RunAcqAsync(acq, dir16, zFirst, 4, Path.Combine(work, "out16")).ConfigureAwait(false);
            long peak64 = await RunAcqAsync(acq, dir64, zFirst, 1, Path.Combine(work, "out64")).ConfigureAwait(false);
            Console.WriteLine(string.Format(Inv, "acq stack peak working set: 16 slices {0:0.0} MiB, 64 slices {1:0.0} MiB, ratio {2:0.000}",
                peak16 / 1048576.0, peak64 / 1048576.0, peak64 / (double)peak16));
        }
        return 0;
    }

    private static StackFigures Median(List<StackFigures> figures, Func<StackFigures, double> key) =>
        figures.OrderBy(key).ElementAt(figures.Count / 2);

    private sealed record StackFigures(double MsPerSlice, double CpuMsPerSlice, double CompleteMs, double TotalSeconds, double Psnr, double Ssim, double HeightRms, double InvalidPercent);

    private static StackFigures RunOurs(List<Mat> frames, double zStart, BenchStackSource scene, Mat mask, bool pipeline)
    {
        using var stacker = new StreamingFocusStacker(new FocusStackerOptions { PipelineStages = pipeline });
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        for (int i = 0; i < frames.Count; i++)
        {
            stacker.Add(frames[i], 8, new Micrometres(zStart + 2 * i));
        }
        using var result = stacker.Complete();
        wall.Stop();
        process.Refresh();
        double cpuMs = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        var stats = result.Statistics;
        var (allInFocus, fullScale) = scene.AllInFocus;
        double psnr = ImageComparison.Psnr(result.FusedImage, 65535, allInFocus, fullScale, mask);
        double ssim = ImageComparison.Ssim(result.FusedImage, 65535, allInFocus, fullScale, mask);
        var (rms, invalid) = ImageComparison.HeightError(result.HeightMapMicrometres, scene.TrueHeightMicrometres, mask);
        return new StackFigures(wall.Elapsed.TotalMilliseconds / frames.Count, cpuMs / frames.Count, stats.CompleteTime.TotalMilliseconds, wall.Elapsed.TotalSeconds, psnr, ssim, rms, invalid * 100);
    }

    /// <summary>CPU time of waited-for children so far (getrusage RUSAGE_CHILDREN via /proc/self/stat cutime+cstime).</summary>
    private static TimeSpan ChildCpu()
    {
        var fields = File.ReadAllText("/proc/self/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After the command name: state is field 3, so cutime (16) and cstime (17) are at 13 and 14 here.
        long ticks = long.Parse(fields[13], Inv) + long.Parse(fields[14], Inv);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    private static async Task<long> RunAcqAsync(string acqDll, string dir, double zStart, double zStep, string outDir)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { acqDll, "stack", dir, "--z-start", zStart.ToString(Inv), "--z-step", zStep.ToString(Inv), "--pixel-size", "2.5", "--out", outDir })
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = await p.StandardOutput.ReadToEndAsync().ConfigureAwait(false);
        var stderr = await p.StandardError.ReadToEndAsync().ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        Console.WriteLine(stdout.Trim());
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException("acq stack failed: " + stderr);
        }
        using var report = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outDir, "report.json")).ConfigureAwait(false));
        return report.RootElement.GetProperty("peakWorkingSetBytes").GetInt64();
    }

    private static string FindAcq()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Acquisition.sln")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new InvalidOperationException("Cannot find the repository root; pass --acq path/to/acq.dll.");
        }
        foreach (var config in new[] { "Release", "Debug" })
        {
            var candidate = Path.Combine(dir.FullName, "src", "Acquisition.Console", "bin", config, "net10.0", "acq.dll");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("acq.dll not built; run `dotnet build -c Release src/Acquisition.Console` or pass --acq.");
    }

    private static int IntArg(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], Inv) : fallback;
    }

    private static string StringArg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }
}
