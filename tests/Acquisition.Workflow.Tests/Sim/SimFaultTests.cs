using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Grbl;
using Acquisition.HardwareSim.Surface;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Xunit.Abstractions;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// Faults in the middle of a stack, on the simulator with the real drivers (GRBL over a pty, the panel over the
/// simulated GPIO, the PCA9685 light, the simulated camera). Each fault is armed from the sequence's own Progress
/// event after a chosen stack frame, i.e. just before the next move starts, so it lands at the same point of the
/// capture however loaded the machine is. Each test has its own bench: these faults leave it needing a re-home.
/// </summary>
public sealed class SimFaultTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Opening_the_door_mid_stack_aborts_holds_the_stage_switches_the_lights_off_and_the_next_capture_runs_after_it_closes()
    {
        await using var bench = await SimBench.StartAsync(SimBench.QuarterResolution, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe();
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);
        // The bench opens the door on GRBL's input and the panel's switch at once; GRBL sees it without the panel's
        // debounce, so the move usually fails on GRBL's Door state before the panel event: it must still be the door.
        ArmAfterStackFrame(rig.Sequence, 3, bench.Bench.OpenDoor);

        var outcome = await RunAsync(rig);

        Assert.Equal(CaptureStatus.Aborted, outcome.Status);
        Assert.Equal("the door was opened during the capture", outcome.Record.Reasons[0]);
        await SimSafety.AssertSafeAsync(bench);
        // Never moved again with the door open: the stage is still held where the door stopped it.
        Assert.True(bench.Bench.DoorOpen);
        Assert.Equal(GrblMachineState.Door, bench.Bench.Grbl.State);
        // An abort by the door is not a station fault.
        Assert.Equal(StatusIndicator.Ready, bench.Panel.Indicator);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);

        // Close the door: the next capture resumes GRBL out of its Door state and gets as far as stacking again.
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bench.Panel.EventRaised += (_, e) =>
        {
            if (e.Kind == PanelEventKind.DoorClosed)
            {
                closed.TrySetResult();
            }
        };
        bench.Bench.CloseDoor();
        if (!bench.Panel.DoorClosed)
        {
            await closed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        var stacked = 0;
        rig.Sequence.Progress += (_, p) =>
        {
            // Stop the second capture at its first stack frame: that proves the stage moves again, and keeps the test short.
            if (p.Phase == CapturePhase.Stacking && p.FramesDone == 1 && Interlocked.Exchange(ref stacked, 1) == 0)
            {
                rig.Sequence.Abort("test: stop after the first frame");
            }
        };

        var second = await RunAsync(rig);

        Assert.Equal(1, stacked);
        Assert.Equal(CaptureStatus.Aborted, second.Status);
        Assert.Equal(["test: stop after the first frame"], second.Record.Reasons);
        Assert.Equal(StatusIndicator.Ready, bench.Panel.Indicator);
    }

    [Fact]
    public async Task An_x_stall_is_caught_by_the_position_check_and_fails_safely_as_a_fault_that_needs_homing()
    {
        await using var bench = await SimBench.StartAsync(SimBench.QuarterResolution, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe();
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);
        // At the ejector mark's first frame the X motor starts losing every step; GRBL keeps reporting the commanded
        // positions, so only the image can tell that the move back to the primer never happened.
        var armed = 0;
        rig.Sequence.Progress += (_, p) =>
        {
            if (p.Phase == CapturePhase.Stacking && p.Region == "EjectorMark" && Interlocked.Exchange(ref armed, 1) == 0)
            {
                bench.Bench.Faults.Set("stall-x", true);
            }
        };

        var outcome = await RunAsync(rig);

        Assert.Equal(1, armed);
        Assert.Equal(CaptureStatus.Failed, outcome.Status);
        var reason = Assert.Single(outcome.Record.Reasons);
        Assert.StartsWith("hardware fault: Stage position check at the end of the capture failed: ", reason, StringComparison.Ordinal);
        Assert.Contains("X/Y are not where the controller reports them", reason, StringComparison.Ordinal);
        await SimSafety.AssertSafeAsync(bench);
        Assert.Equal(StatusIndicator.Fault, bench.Panel.Indicator);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);
    }

    [Fact]
    public async Task A_z_stall_mid_stack_never_ends_as_a_complete_capture()
    {
        await using var bench = await SimBench.StartAsync(SimBench.QuarterResolution, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe(shippedBreechFaceOnly: true);
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);
        // A quarter into the breech-face stack (21 slices) the Z motor starts losing every step: GRBL keeps reporting the
        // commanded z, so the rest of the stack is the same defocused slice over and over.
        ArmAfterStackFrame(rig.Sequence, 6, () => bench.Bench.Faults.Set("stall-z", true));

        var outcome = await RunAsync(rig);

        // QC catches it (the same recipe without the stall completes: measured once, too slow to keep as a test).
        Assert.NotEqual(CaptureStatus.Complete, outcome.Status);
        Assert.Equal(CaptureStatus.Failed, outcome.Status);
        Assert.Contains(outcome.Record.Reasons, r => r.StartsWith("BreechFace failed QC: focus coverage", StringComparison.Ordinal));
        await SimSafety.AssertSafeAsync(bench);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);
    }

    [Fact]
    public async Task Losing_the_camera_mid_stack_fails_safely_with_the_cameras_reason()
    {
        await using var bench = await SimBench.StartAsync(SimBench.QuarterResolution, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe();
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);
        ArmAfterStackFrame(rig.Sequence, 3, bench.SimCamera.Disconnect);

        var outcome = await RunAsync(rig);

        Assert.Equal(CaptureStatus.Failed, outcome.Status);
        Assert.Contains(outcome.Record.Reasons, r => r.StartsWith("hardware fault: Camera", StringComparison.Ordinal) && r.Contains("disconnected", StringComparison.Ordinal));
        await SimSafety.AssertSafeAsync(bench);
        // The position is still known, so the stage retreated to the safe Z.
        Assert.InRange(bench.Bench.TruePositionAt(bench.Clock.GetUtcNow()).Z.Value, rig.Options.SafeZMicrometres - 5, rig.Options.SafeZMicrometres + 5);
        Assert.Equal(StatusIndicator.Fault, bench.Panel.Indicator);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);
    }

    [Fact]
    public async Task A_controller_reset_mid_stack_fails_safely_without_moving_the_lost_stage()
    {
        await using var bench = await SimBench.StartAsync(SimBench.QuarterResolution, SurfacePresets.DefaultCasing());
        using var recipe = new FaultRecipe();
        using var rig = new StationRig(bench, firmwareConfig: recipe.Path);
        ArmAfterStackFrame(rig.Sequence, 3, () => bench.Bench.Faults.Set("controller-reset", true));

        var outcome = await RunAsync(rig);

        Assert.Equal(CaptureStatus.Failed, outcome.Status);
        Assert.Contains(outcome.Record.Reasons, r => r.StartsWith("hardware fault:", StringComparison.Ordinal));
        await SimSafety.AssertSafeAsync(bench);
        Assert.False(bench.Stage.Status.IsHomed);
        Assert.Equal(StatusIndicator.Fault, bench.Panel.Indicator);
        await SimSafety.AssertNoCompletePackageAsync(outcome, rig);
    }

    private async Task<CaptureOutcome> RunAsync(StationRig rig)
    {
        var outcome = await rig.Sequence.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None).WaitAsync(Guard);
        output.WriteLine($"{outcome.Status}: {string.Join(" | ", outcome.Record.Reasons)}");
        return outcome;
    }

    /// <summary>Runs <paramref name="fault"/> once, when the stack frame numbered <paramref name="frame"/> has been taken.</summary>
    internal static void ArmAfterStackFrame(CaptureSequence sequence, int frame, Action fault)
    {
        var armed = 0;
        sequence.Progress += (_, p) =>
        {
            if (p.Phase == CapturePhase.Stacking && p.FramesDone == frame && Interlocked.Exchange(ref armed, 1) == 0)
            {
                fault();
            }
        };
    }
}
