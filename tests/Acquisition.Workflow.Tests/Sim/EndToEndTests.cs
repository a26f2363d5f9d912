using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Packaging;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Sim;

public sealed class EndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    private static SimulatedCameraOptions QuarterResolution => SimBench.QuarterResolution;

    [Fact]
    public async Task Pressing_the_capture_button_yields_a_sealed_package_whose_manifest_and_signature_verify()
    {
        await using var bench = await SimBench.StartAsync(QuarterResolution, SurfacePresets.DefaultCasing());
        using var rig = new StationRig(bench);
        using var button = new CaptureButton(bench.Panel, rig.Cases, rig.Sequence, "tech01");
        var finished = new TaskCompletionSource<CaptureOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        button.CaptureFinished += (_, o) => finished.TrySetResult(o);
        button.PressRefused += (_, r) => finished.TrySetException(new InvalidOperationException(r));
        var progress = new List<CaptureProgress>();
        rig.Sequence.Progress += (_, p) => progress.Add(p);

        // A real short press on the simulated button, through the simulated GPIO and the panel driver's debounce.
        await bench.Bench.PressAsync(TimeSpan.FromMilliseconds(200), CancellationToken.None).WaitAsync(Guard);
        var outcome = await finished.Task.WaitAsync(Guard);

        output.WriteLine(string.Join(Environment.NewLine, outcome.Record.Reasons));
        output.WriteLine(outcome.Timing.ToString());
        foreach (var r in outcome.Record.Regions)
        {
            output.WriteLine($"{r.Region} {r.Status}: {string.Join(" / ", r.Attempts.Select(a => a.Metrics))}");
        }
        Assert.True(outcome.Status == CaptureStatus.Complete, $"{outcome.Status}: {string.Join(" | ", outcome.Record.Reasons)}");
        // The autofocus scores the primer only, so it finds the breech face and every region passes at once. Scored
        // over 0.9 of the frame it was pulled to the head face 40 µm above (its residue outscored the primer): the
        // breech-face stack then had the primer at its end, 1.4 % coverage, and passed only when widened.
        output.WriteLine($"autofocus at Z {outcome.Record.Autofocus!.FocusZMicrometres:0.0} µm (head face in focus at {SimBench.FocusZ:0} µm)");
        var primerPlane = SimBench.FocusZ - new Acquisition.HardwareSim.Surface.CasingHeadModel().PrimerRecessMicrometres;
        Assert.InRange(outcome.Record.Autofocus.FocusZMicrometres, primerPlane - 5, primerPlane + 5);
        Assert.All(outcome.Record.Regions, r => Assert.Single(r.Attempts));
        // capture.json says how each region was registered: the breech face on the stacker's default crop (2.56 mm),
        // the ejector mark on the 94 px square that stays on the flat head face.
        var registration = outcome.Record.Regions.ToDictionary(r => r.Region, r => (r.Attempts[0].RegistrationDownscale, r.Attempts[0].RegistrationCropPixels));
        Assert.Equal((1, 256), registration[nameof(Acquisition.Core.Domain.Region.BreechFace)]);
        Assert.Equal((1, 94), registration[nameof(Acquisition.Core.Domain.Region.EjectorMark)]);
        // ... and so does the log, one line per region attempt.
        var attemptLines = rig.Log.Collector.GetSnapshot().Select(r => r.Message).Where(m => m.Contains(" attempt 1: focus coverage ", StringComparison.Ordinal)).ToList();
        attemptLines.ForEach(output.WriteLine);
        Assert.Equal(outcome.Record.Regions.Count, attemptLines.Count);
        Assert.Contains(attemptLines, m => m.Contains("EjectorMark attempt 1:", StringComparison.Ordinal) && m.Contains("at 1/1 scale on a 94 px crop", StringComparison.Ordinal));
        var verification = await PackageVerifier.VerifyAsync(outcome.PackagePath!, rig.Keys.TrustedKeyIds(), CancellationToken.None);
        Assert.True(verification.IsValid, string.Join("; ", verification.Problems));
        Assert.True(File.Exists(Path.Combine(outcome.PackagePath!, "regions", "BreechFace", "height.x3p")));
        Assert.True(bench.Lights.Current.IsOff);

        // The press went through the whole sequence, reporting every stack frame, and the position check at the end
        // found the primer where the controller said it was.
        var phases = progress.Select(p => p.Phase).ToList();
        Assert.Equal(phases.Order().ToList(), phases);
        Assert.Equal(Enum.GetValues<CapturePhase>(), phases.Distinct());
        Assert.Equal(progress[^1].FramesPlanned, progress[^1].FramesDone);
        Assert.Equal(progress[^1].FramesDone, progress.Count(p => p.Phase == CapturePhase.Stacking));
        Assert.Equal(TimeSpan.Zero, progress[^1].EstimatedRemaining);
        var check = Assert.Single(outcome.Record.PositionCheckOffsetsMicrometres);
        // The check's own limit: three overview pixels (downscale 4 at 10 µm/px) here.
        Assert.InRange(check, 0, 3 * 4 * rig.Bench.CameraOptions.PixelSizeMicrometres);
    }

    [Fact]
    public async Task A_polished_primer_is_refused_by_qc_rather_than_reported_as_depth()
    {
        await using var bench = await SimBench.StartAsync(QuarterResolution, SurfacePresets.PolishedPrimer());
        using var rig = new StationRig(bench);
        var outcome = await rig.Sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(Guard);

        output.WriteLine(string.Join(Environment.NewLine, outcome.Record.Reasons));
        Assert.NotEqual(CaptureStatus.Complete, outcome.Status);
        Assert.Contains(outcome.Record.Reasons, r => r.Contains("BreechFace", StringComparison.Ordinal) || r.StartsWith("autofocus", StringComparison.Ordinal));
        if (outcome.PackagePath is not null)
        {
            Assert.Contains("\"status\": \"failed\"", await File.ReadAllTextAsync(Path.Combine(outcome.PackagePath, "capture.json")), StringComparison.Ordinal);
        }
        Assert.True(bench.Lights.Current.IsOff);
    }
}
