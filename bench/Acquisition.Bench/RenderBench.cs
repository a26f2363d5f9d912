using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;

namespace Acquisition.Bench;

/// <summary>
/// Times the simulator's frame rendering: the default 9 mm casing, the default 2448×2048 sensor, one frame per
/// focus position across a 200 µm z-sweep with four ring segments lit. Prints the median and the spread.
/// Usage: acquisition-bench render [frames=40] [width=2448] [height=2048]
/// </summary>
internal static class RenderBench
{
    /// <summary>Writes one rendered frame as PNG: acquisition-bench render-snap out.png [z µm] [segments e.g. 0,1,2,3] [x] [y].</summary>
    public static int Snap(string[] args)
    {
        var path = args[0];
        var z = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : -40;
        var segs = args.Length > 2 ? args[2].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray() : [0, 1, 2, 3];
        var x = args.Length > 3 ? double.Parse(args[3], CultureInfo.InvariantCulture) : 0;
        var y = args.Length > 4 ? double.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        using var scene = SurfacePresets.DefaultCasing();
        using var renderer = new FrameRenderer(scene, SimulatedCameraOptions.Default);
        var lighting = LightingState.Segmented(8, segs, 1.0);
        var position = StagePosition.FromMicrometres(x, y, z);
        var (data, _) = renderer.Render(_ => new ExposureSample(position, lighting), TimeSpan.FromMilliseconds(10), 1, PixelFormat.Mono8, 1);
        using var mat = new OpenCvSharp.Mat(SimulatedCameraOptions.Default.Height, SimulatedCameraOptions.Default.Width, OpenCvSharp.MatType.CV_8UC1);
        mat.SetArray(data);
        OpenCvSharp.Cv2.ImWrite(path, mat);
        return 0;
    }

    public static int Run(string[] args)
    {
        var frames = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 40;
        var options = SimulatedCameraOptions.Default;
        if (args.Length > 2)
        {
            options = options with { Width = int.Parse(args[1], CultureInfo.InvariantCulture), Height = int.Parse(args[2], CultureInfo.InvariantCulture) };
        }
        var build = Stopwatch.StartNew();
        using var scene = SurfacePresets.DefaultCasing();
        var sceneMs = build.Elapsed.TotalMilliseconds;
        build.Restart();
        using var renderer = new FrameRenderer(scene, options) { CollectStageTimes = true };
        var prepMs = build.Elapsed.TotalMilliseconds;
        var lighting = LightingState.Segmented(8, [0, 1, 2, 3], 1.0);
        var times = new List<double>();
        var cpuTimes = new List<double>();
        var stages = new Dictionary<string, double>(StringComparer.Ordinal);
        using var process = Process.GetCurrentProcess();
        var checksum = 0L;
        for (var i = -3; i < frames; i++)
        {
            // Sweep the focal plane from 150 µm above the head face down into the firing-pin crater.
            var z = 150 - (200.0 * Math.Max(0, i) / Math.Max(1, frames - 1));
            var position = StagePosition.FromMicrometres(0, 0, z);
            process.Refresh();
            var cpu0 = process.TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var (data, _) = renderer.Render(_ => new ExposureSample(position, lighting), TimeSpan.FromMilliseconds(10), 1, PixelFormat.Mono8, i + 3);
            sw.Stop();
            process.Refresh();
            var cpu = (process.TotalProcessorTime - cpu0).TotalMilliseconds;
            checksum += data[data.Length / 2];
            if (i >= 0)
            {
                foreach (var (stage, ms) in renderer.LastStageCpuMilliseconds)
                {
                    stages[stage] = stages.GetValueOrDefault(stage) + (ms / frames);
                }
                times.Add(sw.Elapsed.TotalMilliseconds);
                cpuTimes.Add(cpu);
            }
        }
        times.Sort();
        cpuTimes.Sort();
        var median = times[times.Count / 2];
        var cpuMedian = cpuTimes[cpuTimes.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"render {options.Width}x{options.Height} Mono8, {frames} frames: median {median:0.0} ms, min {times[0]:0.0} ms, p90 {times[(int)(times.Count * 0.9)]:0.0} ms, max {times[^1]:0.0} ms"));
        // CPU time is what the render costs whatever else runs on the machine; divided by the cores it is the wall
        // time an idle machine would show with perfect parallelism (a lower bound).
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cpu time per frame: median {cpuMedian:0.0} ms (all threads), / {Environment.ProcessorCount} cores = {cpuMedian / Environment.ProcessorCount:0.0} ms; load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        Console.WriteLine("mean CPU time per stage (all threads): " + string.Join(", ", stages.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} {kv.Value:0.0} ms"))));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scene rasterisation {sceneMs:0} ms ({scene.Width}x{scene.Height} at {scene.ResolutionMicrometres} µm), renderer setup {prepMs:0} ms, cores {Environment.ProcessorCount}, checksum {checksum}"));
        // Motion blur costs more (several sub-exposures); report it separately.
        var sw2 = Stopwatch.StartNew();
        renderer.Render(f => new ExposureSample(StagePosition.FromMicrometres(f * 25, 0, 0), lighting), TimeSpan.FromMilliseconds(10), 1, PixelFormat.Mono8, 999);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one motion-blurred frame (10 px during exposure): {sw2.Elapsed.TotalMilliseconds:0.0} ms"));
        return 0;
    }
}
