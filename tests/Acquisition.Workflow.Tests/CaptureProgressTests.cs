using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Workflow.Tests;

public sealed class CaptureProgressTests
{
    [Fact]
    public async Task A_capture_reports_its_phases_in_order_every_stack_frame_and_an_eta_that_ends_at_zero()
    {
        using var h = new SequenceHarness();
        // Each frame costs 30 ms of the capture's clock, so the ETA has a rate to extrapolate.
        h.Camera.BeforeCapture = _ => h.Time.Advance(TimeSpan.FromMilliseconds(30));
        var sequence = h.Build();
        var reports = new List<CaptureProgress>();
        sequence.Progress += (_, p) => reports.Add(p);

        var outcome = await sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(CaptureStatus.Complete, outcome.Status);
        Assert.All(reports, p => Assert.Equal(outcome.Record.CaptureId, p.CaptureId));
        // Phases never go backwards and each one appears.
        var phases = reports.Select(p => p.Phase).ToList();
        Assert.Equal(phases.Order().ToList(), phases);
        Assert.Equal(Enum.GetValues<CapturePhase>(), phases.Distinct());
        Assert.Equal(CapturePhase.Finished, reports[^1].Phase);

        // One Stacking report per stack frame, counting up to the plan: 9 mm = (41 + 53 + 31) slices × 2 lightings.
        var stacking = reports.Where(p => p.Phase == CapturePhase.Stacking).ToList();
        const int planned = (41 + 53 + 31) * 2;
        Assert.Equal(planned, stacking.Count);
        Assert.Equal(Enumerable.Range(1, planned), stacking.Select(p => p.FramesDone));
        Assert.All(reports.Where(p => p.Phase >= CapturePhase.Stacking), p => Assert.Equal(planned, p.FramesPlanned));
        Assert.Equal(planned, reports[^1].FramesDone);
        Assert.Equal(1.0, reports[^1].Fraction);

        // Regions in recipe order, both lightings at each slice, slices counting up within a region.
        Assert.Equal(["BreechFace", "FiringPinImpression", "EjectorMark"], stacking.Select(p => p.Region!).Distinct());
        Assert.All(stacking, p => Assert.Equal(3, p.RegionCount));
        var bf = stacking.Where(p => p.Region == "BreechFace").ToList();
        Assert.Equal(["ring-oblique", "coaxial", "ring-oblique", "coaxial"], bf.Take(4).Select(p => p.Lighting!));
        Assert.Equal([0, 0, 1, 1], bf.Take(4).Select(p => p.Slice));
        Assert.All(bf, p => Assert.Equal(41, p.SliceCount));

        // The ETA: unknown before the first stack frame, positive while frames remain, zero at the end.
        Assert.All(reports.Where(p => p.Phase < CapturePhase.Stacking), p => Assert.Null(p.EstimatedRemaining));
        Assert.All(stacking.Take(planned - 1), p => Assert.True(p.EstimatedRemaining > TimeSpan.Zero, $"frame {p.FramesDone}: ETA {p.EstimatedRemaining}"));
        Assert.Equal(TimeSpan.Zero, stacking[^1].EstimatedRemaining);
        Assert.Equal(TimeSpan.Zero, reports[^1].EstimatedRemaining);
        // Elapsed is on the capture's clock and never runs backwards.
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.Elapsed >= p.First.Elapsed));
    }

    [Fact]
    public async Task A_retry_adds_its_frames_to_the_plan()
    {
        using var h = new SequenceHarness();
        h.Stacker.Plan = (r, attempt) => r.Region == Acquisition.Core.Domain.Region.BreechFace && attempt == 1 ? (0.5, 20000) : (1.0, 20000);
        var sequence = h.Build();
        var reports = new List<CaptureProgress>();
        sequence.Progress += (_, p) => reports.Add(p);

        var outcome = await sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(CaptureStatus.Complete, outcome.Status);
        var retry = reports.Where(p => p.Phase == CapturePhase.Stacking && p.Region == "BreechFace" && p.Attempt == 2).ToList();
        Assert.NotEmpty(retry);
        // The widened retry (−60…+60 µm at 2 µm: 61 slices) joins the plan, and the count still ends on the plan.
        Assert.Equal((41 + 61 + 53 + 31) * 2, reports[^1].FramesPlanned);
        Assert.Equal(reports[^1].FramesPlanned, reports[^1].FramesDone);
    }
}
