using System.Globalization;
using System.Text.Json;
using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Imaging.X3p;
using Acquisition.Packaging;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// Captures that must not start (or must stop at the primer) on the simulator with the real drivers, and the
/// package's timestamps on the station's clock. They share one bench: none of them leaves it needing a re-home.
/// </summary>
public sealed class SimRefusalTests(SharedSimBench shared, ITestOutputHelper output) : IClassFixture<SharedSimBench>
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    private SimBench Bench => shared.Bench;

    [Fact]
    public async Task A_missing_calibration_refuses_before_any_motion_naming_it()
    {
        using var rig = new StationRig(Bench, firmwareConfig: shared.FirmwareConfig, seedCalibrations: false);
        var outcome = await RunRefusedAsync(rig, SequenceHarness.Case());

        Assert.Contains("PixelSize calibration is missing", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("FlatField calibration is missing", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_calibre_refuses_before_any_motion_with_the_closest_names()
    {
        using var rig = new StationRig(Bench, firmwareConfig: shared.FirmwareConfig);
        var outcome = await RunRefusedAsync(rig, SequenceHarness.Case() with { Calibre = "9mm Lugr" });

        Assert.Contains("Unknown calibre '9mm Lugr'", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("'9mm Luger'", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_little_free_disk_refuses_before_any_motion_with_the_estimate()
    {
        // The real probe on the real disk: a reserve larger than any disk makes the capture's need exceed what is free.
        using var rig = new StationRig(Bench, firmwareConfig: shared.FirmwareConfig, configure: o => o.DiskReserveBytes = long.MaxValue / 4);
        var outcome = await RunRefusedAsync(rig, SequenceHarness.Case());

        Assert.StartsWith("Too little free disk: this capture needs about", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_primer_that_is_not_there_fails_clearly_and_leaves_the_stage_at_the_safe_z_with_the_lights_off()
    {
        // A 9 mm casing captured as .45 Auto: no circle of the large pistol primer's size is in the overview.
        using var rig = new StationRig(Bench, firmwareConfig: shared.FirmwareConfig);
        var outcome = await RunAsync(rig, SequenceHarness.Case() with { Calibre = ".45 Auto" });

        Assert.Equal(CaptureStatus.Failed, outcome.Status);
        Assert.StartsWith("primer location: ", outcome.Record.Reasons[0], StringComparison.Ordinal);
        // Which one depends on the overview's noise: no circle of the .45's size at all, one of the wrong size, or a
        // spurious one that the centring moves do not bring to the centre. Each names the calibre to check.
        Assert.True(outcome.Record.Reasons[0].Contains("no primer found", StringComparison.Ordinal)
            || outcome.Record.Reasons[0].Contains("wrong calibre", StringComparison.Ordinal)
            || outcome.Record.Reasons[0].Contains("probably not the primer: check that the casing is a .45 Auto", StringComparison.Ordinal), outcome.Record.Reasons[0]);
        Assert.Empty(outcome.Record.Regions);
        await SimSafety.AssertSafeAsync(Bench);
        Assert.InRange(Bench.Bench.TruePositionAt(Bench.Clock.GetUtcNow()).Z.Value, rig.Options.SafeZMicrometres - 5, rig.Options.SafeZMicrometres + 5);
        Assert.Equal(StatusIndicator.Ready, Bench.Panel.Indicator);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);
    }

    [Fact]
    public async Task Every_package_timestamp_is_on_the_station_clock_and_in_order_while_the_devices_run_on_the_virtual_clock()
    {
        // As the station composes it: stores, audit and package on the system clock; devices on the bench's virtual
        // clock, which starts elsewhere (2026-01-01) and jumps ahead whenever the bench is idle.
        using var rig = new StationRig(Bench, firmwareConfig: shared.FirmwareConfig, stationClock: TimeProvider.System,
            configure: o => o.KeepRawStacks = true);
        // A pixel-size record that appears while the capture stacks (as if recorded meanwhile): the package must still
        // name the calibration the capture measured with, not the newest one when it is written.
        var used = Assert.Single(rig.Calibrations.History(Acquisition.Core.Domain.CalibrationKind.PixelSize));
        Acquisition.Core.Domain.CalibrationRecord? later = null;
        rig.Sequence.Progress += (_, p) =>
        {
            if (p.Phase == CapturePhase.Stacking && later is null)
            {
                later = rig.Calibrations.RecordAsync(used.Kind, used.Values, "service", null, null, CancellationToken.None).GetAwaiter().GetResult();
            }
        };
        var before = Ms(DateTimeOffset.UtcNow);
        var outcome = await RunAsync(rig, SequenceHarness.Case());
        var after = Ms(DateTimeOffset.UtcNow);
        Assert.NotNull(outcome.PackagePath);
        var package = outcome.PackagePath!;

        using var capture = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(package, "capture.json")));
        var started = Time(capture.RootElement, "startedAt");
        var finished = Time(capture.RootElement, "finishedAt");
        var sealedAt = Time(capture.RootElement, "sealedAt");
        Assert.InRange(started, before, after);
        Assert.InRange(finished, started, after);
        Assert.InRange(sealedAt, finished, after);
        Assert.Equal(started, Ms(Ulid.Parse(outcome.Record.CaptureId).Time));

        // Every raw frame was exposed between the start and the finish, in the order taken.
        using var raw = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(package, "raw", "index.json")));
        var frames = raw.RootElement.GetProperty("frames").EnumerateArray().Select(f => Ms(f.GetProperty("exposureStart").GetDateTimeOffset())).ToList();
        Assert.Equal(CaptureStatus.Complete, outcome.Status);
        Assert.Equal(FaultRecipe.StackFrames, frames.Count);
        Assert.All(frames, f => Assert.InRange(f, started, finished));
        Assert.Equal(frames.Order().ToList(), frames);

        // The manifest and the height map's Record2 are stamped on the same clock.
        var manifest = PackageManifest.Parse(await File.ReadAllBytesAsync(Path.Combine(package, "manifest.json")));
        Assert.InRange(Ms(manifest.CreatedAt), sealedAt, after);
        var x3p = X3pReader.Read(Path.Combine(package, "regions", "BreechFace", "height.x3p"));
        Assert.InRange(Ms(x3p.Record2!.Date), started, finished);
        // Its CalibrationDate is when the pixel-size calibration the capture used was performed (X3P dates carry
        // milliseconds), not the one recorded while it ran.
        Assert.NotNull(later);
        Assert.True(Ms(later!.PerformedAt) > Ms(used.PerformedAt));
        Assert.Equal(Ms(used.PerformedAt), Ms(x3p.Record2.CalibrationDate));
        Assert.Null(x3p.Record2.Comment);

        // The audit log agrees: started after the capture's start, finished after sealing.
        var audit = await rig.Audit.ReadAllAsync(CancellationToken.None);
        var auditStarted = Ms(audit.Single(e => e.Action == "capture.started").At);
        var auditFinished = Ms(audit.Single(e => e.Action == "capture.finished").At);
        Assert.InRange(auditStarted, started, finished);
        Assert.InRange(auditFinished, sealedAt, after);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"station {before:O}..{after:O}; bench clock now {Bench.Clock.GetUtcNow():O}; started {started:O} finished {finished:O} sealed {sealedAt:O}; frames {frames[0]:O}..{frames[^1]:O}"));
    }

    private async Task<CaptureOutcome> RunAsync(StationRig rig, Acquisition.Core.Domain.CaseContext caseContext)
    {
        var outcome = await rig.Sequence.RunAsync(caseContext, "tech01", CancellationToken.None).WaitAsync(Guard);
        output.WriteLine($"{outcome.Status}: {string.Join(" | ", outcome.Record.Reasons)}");
        if (outcome.Record.Autofocus is { } af)
        {
            output.WriteLine("coarse " + string.Join(" ", af.CoarseCurve.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.ZMicrometres - af.FocusZMicrometres:0}:{c.Score:0.###}"))));
            output.WriteLine("fine " + string.Join(" ", af.FineCurve.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.ZMicrometres - af.FocusZMicrometres:0}:{c.Score:0.###}"))));
        }
        foreach (var r in outcome.Record.Regions)
        {
            output.WriteLine($"{r.Region} {r.Status}: {string.Join(" / ", r.Attempts.Select(a => a.Metrics))}");
        }
        return outcome;
    }

    /// <summary>A refusal: no package, nothing moved, lights off, the station ready for the next try.</summary>
    private async Task<CaptureOutcome> RunRefusedAsync(StationRig rig, Acquisition.Core.Domain.CaseContext caseContext)
    {
        var truthBefore = Bench.Bench.TruePositionAt(Bench.Clock.GetUtcNow());
        var outcome = await RunAsync(rig, caseContext);

        Assert.Equal(CaptureStatus.Refused, outcome.Status);
        Assert.Null(outcome.PackagePath);
        Assert.Equal(truthBefore, Bench.Bench.TruePositionAt(Bench.Clock.GetUtcNow()));
        await SimSafety.AssertSafeAsync(Bench);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);
        Assert.Contains(await rig.Audit.ReadAllAsync(CancellationToken.None), e => e.Action == "capture.refused");
        return outcome;
    }

    private static DateTimeOffset Time(JsonElement e, string name) => Ms(e.GetProperty(name).GetDateTimeOffset());

    /// <summary>The package writes milliseconds; compare at that resolution.</summary>
    private static DateTimeOffset Ms(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}
