using System.Diagnostics;
using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.Hardware.Grbl;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.Bench;

/// <summary>
/// The GRBL driver through a real SerialPort on a pseudo-terminal against the simulated controller, in real-time
/// clock mode: command round trip ($I), status-poll latency ('?'), and motion overhead = MoveToAsync wall time −
/// trapezoid time from the controller's settings − settle time (target: median ≤ 30 ms).
/// </summary>
internal static class SerialBench
{
    public static async Task<int> RunAsync(int moves)
    {
        using var clock = new SimulationClock(new SimulationClockOptions { Mode = ClockMode.RealTime });
        using var host = new GrblPtyHost(clock, new GrblOptions());
        var settingsFile = FindSettingsFile();
        var options = new GrblStageOptions
        {
            PortName = host.PortPath,
            SettingsFile = settingsFile,
            IdlePollInterval = TimeSpan.Zero,
            SettleTime = TimeSpan.FromMilliseconds(20),
            MotionPollInterval = TimeSpan.FromMilliseconds(200),
        };
        await using var stage = new GrblStage(options, clock);
        await stage.ConnectAsync(CancellationToken.None);
        await stage.HomeAsync(CancellationToken.None);

        var roundTrips = new List<double>();
        var polls = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var sw = Stopwatch.StartNew();
            await stage.QueryStatusAsync(CancellationToken.None);
            polls.Add(sw.Elapsed.TotalMilliseconds);
        }
        for (var i = 0; i < 100; i++)
        {
            var sw = Stopwatch.StartNew();
            await stage.UnlockAsync(CancellationToken.None); // "$X" then '?': one ok round trip plus one status round trip
            roundTrips.Add(sw.Elapsed.TotalMilliseconds - Median(polls));
        }

        var overheads = new List<double>();
        var random = new Random(42);
        for (var i = 0; i < moves; i++)
        {
            var from = stage.Status.Position;
            var to = StagePosition.FromMicrometres(-random.Next(1_000, 6_000), -random.Next(1_000, 6_000), -random.Next(1_000, 4_000));
            var planned = stage.PlannedMoveTime(from, to);
            var sw = Stopwatch.StartNew();
            await stage.MoveToAsync(to, CancellationToken.None);
            overheads.Add((sw.Elapsed - planned - options.SettleTime).TotalMilliseconds);
        }

        Console.WriteLine("serial bench: GrblStage over a real SerialPort on a pty, simulated GRBL 1.1h, real-time clock");
        Report("command round trip ($X ok)", roundTrips);
        Report("status poll latency ('?' to report)", polls);
        Report($"motion overhead over {moves} moves (total − trapezoid − settle)", overheads);
        var ok = Median(overheads) <= 30;
        Console.WriteLine(ok ? "motion overhead target (median ≤ 30 ms): met" : "motion overhead target (median ≤ 30 ms): NOT met");
        return ok ? 0 : 1;
    }

    private static void Report(string what, List<double> ms)
    {
        var sorted = ms.Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {what}: median {Median(ms):0.00} ms, p90 {sorted[(int)(0.9 * (sorted.Count - 1))]:0.00} ms, max {sorted[^1]:0.00} ms (n={ms.Count})"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string FindSettingsFile()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "firmware-config", "grbl-settings.txt")))
        {
            dir = dir.Parent;
        }
        return dir is null
            ? throw new FileNotFoundException("firmware-config/grbl-settings.txt not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "firmware-config", "grbl-settings.txt");
    }
}
