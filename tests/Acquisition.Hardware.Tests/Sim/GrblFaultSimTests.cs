using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Hardware.Grbl;
using Acquisition.HardwareSim.Grbl;
using NSubstitute;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests.Sim;

/// <summary>Every fault the simulated controller can inject ends in a clear error and a safe, known state.</summary>
public class GrblFaultSimTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = GrblBench.Guard;
    private static readonly StagePosition Far = StagePosition.FromMicrometres(-40_000, -30_000, -15_000);

    /// <summary>Starts a long move and returns once the controller reports Run.</summary>
    private static async Task<Task> StartLongMoveAsync(GrblBench bench, StagePosition target)
    {
        var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnStatus(object? _, StageStatus s)
        {
            if (s.State == StageMotionState.Run)
            {
                running.TrySetResult();
            }
        }
        bench.Stage.StatusChanged += OnStatus;
        var move = bench.Stage.MoveToAsync(target, CancellationToken.None);
        await Task.WhenAny(running.Task, move).WaitAsync(Guard);
        bench.Stage.StatusChanged -= OnStatus;
        Assert.False(move.IsCompleted, "the move finished before the fault could be injected");
        return move;
    }

    [Fact]
    public async Task Garbage_bytes_between_replies_are_ignored_and_the_move_completes()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var move = await StartLongMoveAsync(bench, Far);
        bench.Controller.InjectGarbage([0x00, 0xFF, 0x13, 0x7F, 0xC3, 0x28]);
        bench.Controller.InjectGarbage("%&*garbage*&%"u8);
        await move.WaitAsync(Guard);
        Assert.True(bench.Stage.GarbageLinesReceived >= 1);
        Assert.Equal(bench.Controller.ReportedSteps, bench.Controller.TrueSteps);
        Assert.Equal(GrblMachineState.Idle, bench.Controller.State);
    }

    [Fact]
    public async Task A_dropped_ok_fails_the_move_with_a_clear_error_and_the_stream_is_resynchronised()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        bench.Controller.DropNextOk();
        var target = StagePosition.FromMicrometres(-5_000, -5_000, -2_000);
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.MoveToAsync(target, CancellationToken.None).WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("never acknowledged 'G4 P0'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("re-synchronise", ex.Message, StringComparison.Ordinal);
        // The motion itself had finished; the reset at rest keeps the position, and the next move works.
        Assert.Equal(GrblMachineState.Idle, bench.Controller.State);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-6_000, -5_000, -2_000), CancellationToken.None).WaitAsync(Guard);
    }

    [Fact]
    public async Task A_controller_reset_mid_move_fails_the_move_and_requires_homing()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var faults = new List<HardwareFaultException>();
        bench.Stage.Faulted += (_, f) => faults.Add(f);
        var move = await StartLongMoveAsync(bench, Far);
        bench.Controller.PowerCycle();
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => move.WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("reset unexpectedly", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.RequiresHoming);
        Assert.False(bench.Stage.Status.IsHomed);
        var refused = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.MoveToAsync(Far, CancellationToken.None).WaitAsync(Guard));
        Assert.Contains("must be homed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("reset unexpectedly", refused.Message, StringComparison.Ordinal);
        await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        Assert.True(bench.Stage.Status.IsHomed);
        Assert.Single(faults);
    }

    [Fact]
    public async Task A_hard_limit_mid_move_is_reported_with_its_meaning_and_the_station_resets_without_a_false_reset_fault()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var faults = new List<HardwareFaultException>();
        bench.Stage.Faulted += (_, f) => faults.Add(f);
        var move = await StartLongMoveAsync(bench, Far);
        bench.Controller.SetLimitForced(Axis.X, true);
        var ex = await Assert.ThrowsAsync<GrblAlarmException>(() => move.WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.StartsWith("ALARM:1 hard limit", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.RequiresHoming);
        bench.Controller.SetLimitForced(Axis.X, false);
        // The station's own reset (to get GRBL out of "Reset to continue") is expected: it is not a second fault.
        await WaitForAsync(bench, () => bench.Controller.State == GrblMachineState.Alarm && faults.Count == 1 && bench.Stage.Status.State == StageMotionState.Alarm);
        await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        Assert.Single(faults);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-2_000, -2_000, -2_000), CancellationToken.None).WaitAsync(Guard);
    }

    [Fact]
    public async Task A_target_outside_the_travel_is_refused_before_sending_or_reported_as_ALARM_2_with_the_axis_and_travel()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var outside = StagePosition.FromMicrometres(12_500, -2_000, -2_000);
        var refused = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.MoveToAsync(outside, CancellationToken.None).WaitAsync(Guard));
        Assert.Contains("target X=12.5 mm is outside the travel -50–0 mm", refused.Message, StringComparison.Ordinal);
        Assert.Equal(GrblMachineState.Idle, bench.Controller.State);

        bench.Options.CheckTravelBeforeSending = false;
        var alarm = await Assert.ThrowsAsync<GrblAlarmException>(() => bench.Stage.MoveToAsync(outside, CancellationToken.None).WaitAsync(Guard));
        output.WriteLine(alarm.Message);
        Assert.StartsWith("ALARM:2 soft limit: target X=12.5 mm is outside the travel -50–0 mm", alarm.Message, StringComparison.Ordinal);
        Assert.False(alarm.RequiresHoming);
        // GRBL kept the position; the station reset and unlocked it, so work goes on without homing.
        await WaitForAsync(bench, () => bench.Controller.State == GrblMachineState.Idle);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-3_000, -2_000, -2_000), CancellationToken.None).WaitAsync(Guard);
    }

    [Fact]
    public async Task Opening_the_door_mid_move_holds_the_motion_and_fails_the_move_clearly_and_resume_finishes_it()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var move = await StartLongMoveAsync(bench, Far);
        bench.Controller.SetDoorOpen(true);
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => move.WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("safety door is open", ex.Message, StringComparison.Ordinal);
        Assert.Equal(GrblMachineState.Door, bench.Controller.State);
        var held = bench.Controller.ReportedSteps;
        Assert.Equal(held, bench.Controller.TrueSteps);
        Assert.True(bench.Stage.Status.IsHomed, "a door hold keeps the position");

        // GRBL resumes only from Door:0: the hold has come to rest and the door is shut again.
        await WaitForAsync(bench, () => bench.Controller.StatusNow().StartsWith("<Door:1", StringComparison.Ordinal));
        bench.Controller.SetDoorOpen(false);
        await WaitForAsync(bench, () => bench.Controller.StatusNow().StartsWith("<Door:0", StringComparison.Ordinal));
        await bench.Stage.ResumeAsync(CancellationToken.None);
        await WaitForAsync(bench, () => bench.Controller.State == GrblMachineState.Idle);
        await bench.Stage.MoveToAsync(Far, CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(bench.Controller.ReportedSteps, bench.Controller.TrueSteps);
    }

    [Fact]
    public async Task A_stall_is_found_by_the_home_switch_check_and_requires_homing()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-10_000, -10_000, -5_000), CancellationToken.None).WaitAsync(Guard);
        bench.Controller.SetStalled(Axis.X, true);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-20_000, -10_000, -5_000), CancellationToken.None).WaitAsync(Guard);
        bench.Controller.SetStalled(Axis.X, false);
        Assert.NotEqual(bench.Controller.ReportedSteps[0], bench.Controller.TrueSteps[0]); // GRBL cannot tell

        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.VerifyAgainstHomeSwitchesAsync(CancellationToken.None).WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("Stage stall detected", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.RequiresHoming);
        var refused = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.MoveToAsync(Far, CancellationToken.None).WaitAsync(Guard));
        Assert.Contains("stall", refused.Message, StringComparison.Ordinal);
        await WaitForAsync(bench, () => bench.Controller.State is GrblMachineState.Alarm or GrblMachineState.Idle);
        bench.Controller.SetLimitForced(Axis.X, false);
        await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(bench.Controller.ReportedSteps, bench.Controller.TrueSteps);
    }

    [Fact]
    public async Task A_stall_while_moving_towards_home_is_found_by_probing_past_the_switches()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-20_000, -10_000, -5_000), CancellationToken.None).WaitAsync(Guard);
        bench.Controller.SetStalled(Axis.X, true);
        // Towards the switches (machine 0): the carriage stays behind, so it is truly FARTHER from its switch.
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-10_000, -10_000, -5_000), CancellationToken.None).WaitAsync(Guard);
        bench.Controller.SetStalled(Axis.X, false);
        Assert.True(bench.Controller.TrueSteps[0] < bench.Controller.ReportedSteps[0]); // GRBL cannot tell

        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.VerifyAgainstHomeSwitchesAsync(CancellationToken.None).WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("Stage stall detected: the X home switch did not trip 25 µm beyond it", ex.Message, StringComparison.Ordinal);
        Assert.Contains("farther from its switch", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.RequiresHoming);
        // Safe state: limits re-armed as grbl-settings.txt wants them, stage idle, moves refused until homed.
        Assert.Equal((1.0, 1.0), (bench.Controller.Settings[20], bench.Controller.Settings[21]));
        Assert.Equal(GrblMachineState.Idle, bench.Controller.State);
        var refused = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.MoveToAsync(Far, CancellationToken.None).WaitAsync(Guard));
        Assert.Contains("stall", refused.Message, StringComparison.Ordinal);
        await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        Assert.Equal(bench.Controller.ReportedSteps, bench.Controller.TrueSteps);
    }

    [Fact]
    public async Task Without_a_stall_the_home_switch_check_passes_and_re_arms_the_limits()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-20_000, -10_000, -5_000), CancellationToken.None).WaitAsync(Guard);
        await bench.Stage.VerifyAgainstHomeSwitchesAsync(CancellationToken.None).WaitAsync(Guard);
        Assert.True(bench.Stage.Status.IsHomed);
        Assert.Equal((1.0, 1.0), (bench.Controller.Settings[20], bench.Controller.Settings[21]));
        Assert.Equal(string.Empty, (await bench.Stage.QueryStatusAsync(CancellationToken.None).WaitAsync(Guard)).LimitPins);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-2_000, -2_000, -2_000), CancellationToken.None).WaitAsync(Guard);
    }

    [Fact]
    public async Task An_image_shift_beyond_tolerance_declares_a_stall()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        bench.Stage.ReportObservedPosition(Axis.Y, new Micrometres(-1000), new Micrometres(-1003), new Micrometres(5), "registration");
        var ex = Assert.Throws<HardwareFaultException>(() =>
            bench.Stage.ReportObservedPosition(Axis.Y, new Micrometres(-1000), new Micrometres(-1040), new Micrometres(5), "image registration of slice 7"));
        Assert.Contains("image registration of slice 7 puts Y at -1040 µm where the controller reports -1000 µm", ex.Message, StringComparison.Ordinal);
        Assert.False(bench.Stage.Status.IsHomed);
    }

    [Fact]
    public async Task The_port_vanishing_fails_the_move_and_the_stage_reconnects_when_it_comes_back()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var connected = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lost = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        bench.Stage.ConnectionChanged += (_, up) => (up ? connected : lost).TrySetResult(up);
        var move = await StartLongMoveAsync(bench, Far);
        bench.Unplug();
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => move.WaitAsync(Guard));
        output.WriteLine(ex.Message);
        Assert.Contains("disappeared", ex.Message, StringComparison.Ordinal);
        await lost.Task.WaitAsync(Guard);
        Assert.False(bench.Stage.IsConnected);
        var refused = await Assert.ThrowsAsync<HardwareFaultException>(() => bench.Stage.MoveToAsync(Far, CancellationToken.None).WaitAsync(Guard));
        Assert.Contains("not connected", refused.Message, StringComparison.Ordinal);

        bench.PlugBackIn();
        await connected.Task.WaitAsync(Guard);
        Assert.False(bench.Stage.Status.IsHomed);
        await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-3_000, -3_000, -3_000), CancellationToken.None).WaitAsync(Guard);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Emergency_stop_halts_at_once_and_switches_motors_off_only_when_Z_holds_itself(bool zHoldsItself)
    {
        var panel = Substitute.For<IOperatorPanel>();
        await using var bench = await GrblBench.StartAsync(o => o.ZHoldsItself = zHoldsItself, panel: panel, output: output);
        var move = await StartLongMoveAsync(bench, Far);
        await bench.Stage.EmergencyStopAsync(CancellationToken.None).WaitAsync(Guard);
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => move.WaitAsync(Guard));
        Assert.Contains("Emergency stop", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.RequiresHoming);
        Assert.NotEqual(GrblMachineState.Run, bench.Controller.State);
        Assert.False(bench.Stage.Status.IsHomed);
        if (zHoldsItself)
        {
            panel.Received(1).SetMotorsEnabled(false);
        }
        else
        {
            panel.DidNotReceive().SetMotorsEnabled(false);
        }

        // Homing is the way back: it powers the drivers again before $H, or GRBL would home dead motors.
        panel.ClearReceivedCalls();
        await bench.Stage.HomeAsync(CancellationToken.None).WaitAsync(Guard);
        panel.Received(1).SetMotorsEnabled(true);
        Assert.True(bench.Stage.Status.IsHomed);
    }

    /// <summary>Waits on the simulation clock and real status round trips until the condition holds; the guard only stops a hang.</summary>
    private static async Task WaitForAsync(GrblBench bench, Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            // Virtual time advances only while the station waits on the clock, so wait on it between polls.
            await Task.Delay(TimeSpan.FromMilliseconds(100), bench.Clock, guard.Token);
            try
            {
                await bench.Stage.QueryStatusAsync(guard.Token);
            }
            catch (HardwareFaultException)
            {
                // disconnected or resetting: poll again after the next tick
            }
        }
    }
}
