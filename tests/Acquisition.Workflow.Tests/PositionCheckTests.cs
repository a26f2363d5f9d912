using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Workflow.Capture.Record;
using NSubstitute;
using NSubstitute.Extensions;

namespace Acquisition.Workflow.Tests;

/// <summary>
/// The open-loop stage can lose steps silently: the sequence checks at the primer centre, against its own autofocus
/// curve, that the image agrees with the reported position (before a QC retry and at the end of the capture).
/// </summary>
public sealed class PositionCheckTests
{
    [Fact]
    public async Task A_good_capture_passes_the_check_at_the_primer_centre_and_autofocus_plane()
    {
        using var h = new SequenceHarness();
        h.Focus.PeakZ = 57;
        var outcome = await h.RunAsync();

        Assert.Equal(CaptureStatus.Complete, outcome.Status);
        // After the last stack the stage went back to the primer centre and the autofocus plane, then retreated.
        Assert.Equal("move X=0 Y=0 Z=-1000 µm", h.Stage.Calls[^1]);
        var focus = outcome.Record.Autofocus!.FocusZMicrometres;
        Assert.Equal(focus, h.Stage.ZTargets[^1], 6);
    }

    [Fact]
    public async Task A_primer_no_longer_centred_fails_the_check_naming_x_y_and_the_next_capture_homes()
    {
        using var h = new SequenceHarness();
        var calls = 0;
        h.Detector.Configure().Detect(default!, default, default, default).ReturnsForAnyArgs(ci =>
        {
            var f = ci.ArgAt<Frame>(0);
            calls++;
            // Centred while locating; 20 px (2 mm) off at the first run's final check; centred again afterwards.
            var shift = calls == 2 ? 20.0 : 0;
            return new Acquisition.Workflow.Processing.PrimerDetection(((f.Width - 1) / 2.0) + shift, (f.Height - 1) / 2.0, 22.25);
        });
        var sequence = h.Build();
        var outcome = await sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(CaptureStatus.Failed, outcome.Status);
        var reason = Assert.Single(outcome.Record.Reasons);
        Assert.StartsWith("hardware fault: Stage position check at the end of the capture failed: the primer centre appears 2000 µm", reason, StringComparison.Ordinal);
        Assert.Contains("X/Y are not where the controller reports them", reason, StringComparison.Ordinal);
        Assert.True(h.Lights.Current.IsOff);
        Assert.Equal(StationState.Fault, h.Station.State);
        Assert.Equal(StatusIndicator.Fault, h.Panel.Indicator);
        // The position is not trusted: no retreat move after the failed check.
        Assert.StartsWith("z ", h.Stage.Calls[^1], StringComparison.Ordinal);
        Assert.Equal(CaptureStatus.Failed, h.Packages.Sealed!.Status);

        // The next capture homes first, though the controller still calls itself homed.
        h.Station.TransitionTo(StationState.Ready, "test: fault cleared");
        calls = -1000;
        h.Stage.Calls.Clear();
        await sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("home", h.Stage.Calls[0]);
    }
}
