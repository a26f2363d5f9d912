using System.Text.Json;
using Acquisition.HardwareSim.Grbl;
using Acquisition.Packaging;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>What every fault test asserts, read from the simulator itself rather than from the drivers' view.</summary>
internal static class SimSafety
{
    /// <summary>
    /// The bench is safe: every ring segment and the coaxial light emit nothing, GRBL is not executing motion, and the
    /// true stage position does not change over a further half second of the bench's clock.
    /// </summary>
    public static async Task AssertSafeAsync(SimBench bench)
    {
        var now = bench.Clock.GetUtcNow();
        var light = bench.Bench.LightingAt(now);
        Assert.True(light.IsOff, $"lights still on: segments {string.Join(",", light.Segments)}, coaxial {light.Coaxial}");
        Assert.True(bench.Lights.Current.IsOff);
        var state = bench.Bench.Grbl.State;
        Assert.True(state is GrblMachineState.Idle or GrblMachineState.Hold or GrblMachineState.Door or GrblMachineState.Alarm,
            $"GRBL is {state}, not stopped or held");
        var before = bench.Bench.TruePositionAt(now);
        await Task.Delay(TimeSpan.FromMilliseconds(500), bench.Clock).WaitAsync(TimeSpan.FromSeconds(60));
        var after = bench.Bench.TruePositionAt(bench.Clock.GetUtcNow());
        Assert.Equal(before, after);
    }

    /// <summary>
    /// No complete package: either none was written (refused before the package began) or the one written says
    /// failed or aborted, with the reasons, and still verifies (it is honest evidence of what happened).
    /// </summary>
    public static async Task AssertNoCompletePackageAsync(CaptureOutcome outcome, StationRig rig)
    {
        Assert.NotEqual(CaptureStatus.Complete, outcome.Status);
        Assert.NotEmpty(outcome.Record.Reasons);
        var packages = Directory.Exists(rig.Data.Packages) ? Directory.GetDirectories(rig.Data.Packages) : [];
        if (outcome.PackagePath is null)
        {
            Assert.Empty(packages);
            return;
        }
        Assert.Equal([outcome.PackagePath], packages);
        using var record = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(outcome.PackagePath, "capture.json")));
        var status = record.RootElement.GetProperty("status").GetString();
        Assert.True(status is "failed" or "aborted", $"capture.json status {status}");
        Assert.NotEqual(0, record.RootElement.GetProperty("reasons").GetArrayLength());
        var verification = await PackageVerifier.VerifyAsync(outcome.PackagePath, rig.Keys.TrustedKeyIds(), CancellationToken.None);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
    }
}
