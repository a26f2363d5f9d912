using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using NSubstitute.ExceptionExtensions;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Acquisition.Station.Tests;

/// <summary>The worker's bring-up and stop over substitutes of the hardware interfaces (unit seams only).</summary>
public sealed class StationWorkerTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly IStage _stage = Substitute.For<IStage>();
    private readonly IRingLight _light = Substitute.For<IRingLight>();
    private readonly IOperatorPanel _panel = Substitute.For<IOperatorPanel>();
    private readonly IHostApplicationLifetime _lifetime = Substitute.For<IHostApplicationLifetime>();
    private readonly StationStateMachine _machine;

    public StationWorkerTests()
    {
        _machine = new StationStateMachine(_time);
        _lifetime.ApplicationStarted.Returns(new CancellationToken(canceled: true));
        _stage.Status.Returns(new StageStatus(StageMotionState.Idle, StagePosition.Origin, true, "", _time.GetUtcNow()));
    }

    private StationWorker Worker(bool zHoldsItself = false, bool once = false) => new(
        _machine, _stage, _light, _panel,
        new SafeStateGuard(_stage, _light, _panel, MsOptions.Create(new StageOptions { ZHoldsItself = zHoldsItself }), NullLogger<SafeStateGuard>.Instance),
        MsOptions.Create(new StationOptions { StationId = "T-1" }),
        MsOptions.Create(new StageOptions { ZHoldsItself = zHoldsItself }),
        new StationLaunch(null, once, false, []),
        new StationHealth(_time),
        _lifetime,
        _time,
        NullLogger<StationWorker>.Instance,
        NullLogger<Acquisition.Hardware.Panel.SafetyInterlock>.Instance);

    private static CancellationToken Guard => new CancellationTokenSource(StationProcess.Guard).Token;

    [Fact]
    public async Task Start_goes_Starting_Homing_Ready_with_the_stage_homed()
    {
        var transitions = new List<StationStateChange>();
        _machine.Changed += (_, c) => transitions.Add(c);
        var worker = Worker();

        await worker.StartAsync(Guard);
        await _machine.WaitForAsync(StationState.Ready, Guard);

        Assert.Equal([StationState.Homing, StationState.Ready], transitions.Select(t => t.To));
        Received.InOrder(() =>
        {
            _light.AllOffAsync(Arg.Any<CancellationToken>());
            _stage.ConnectAsync(Arg.Any<CancellationToken>());
            _stage.HomeAsync(Arg.Any<CancellationToken>());
            _panel.ShowIndicator(StatusIndicator.Ready);
        });
        await worker.StopAsync(Guard);
    }

    [Fact]
    public async Task While_the_station_runs_opening_the_door_holds_motion_and_switches_the_lights_off()
    {
        var worker = Worker();
        await worker.StartAsync(Guard);
        await _machine.WaitForAsync(StationState.Ready, Guard);
        _stage.ClearReceivedCalls();
        _light.ClearReceivedCalls();

        _panel.EventRaised += Raise.Event<EventHandler<PanelEvent>>(_panel, new PanelEvent(PanelEventKind.DoorOpened, _time.GetUtcNow()));

        await _stage.Received(1).FeedHoldAsync(Arg.Any<CancellationToken>());
        await _light.Received(1).AllOffAsync(Arg.Any<CancellationToken>());
        await worker.StopAsync(Guard);

        // Stopped: the interlock is gone with the worker (the stop itself held and switched off once more).
        _stage.ClearReceivedCalls();
        _light.ClearReceivedCalls();
        _panel.EventRaised += Raise.Event<EventHandler<PanelEvent>>(_panel, new PanelEvent(PanelEventKind.DoorOpened, _time.GetUtcNow()));
        await _stage.DidNotReceive().FeedHoldAsync(Arg.Any<CancellationToken>());
        await _light.DidNotReceive().AllOffAsync(Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task The_panel_LED_follows_the_state_whoever_changes_it()
    {
        var worker = Worker();
        await worker.StartAsync(Guard);
        await _machine.WaitForAsync(StationState.Ready, Guard);
        _panel.ClearReceivedCalls();

        _machine.TransitionTo(StationState.Fault, "capture 01J failed: hardware fault");
        _panel.Received(1).ShowIndicator(StatusIndicator.Fault);
        _machine.TransitionTo(StationState.Servicing, "manual homing started by alice");
        _panel.Received(1).ShowIndicator(StatusIndicator.Busy);
        _machine.TransitionTo(StationState.Ready, "stage homed by alice (was Fault: capture 01J failed: hardware fault)");
        _panel.Received(1).ShowIndicator(StatusIndicator.Ready);
        await worker.StopAsync(Guard);
    }

    [Fact]
    public async Task A_homing_failure_is_a_Fault_with_the_drivers_message()
    {
        _stage.HomeAsync(Arg.Any<CancellationToken>())
            .ThrowsAsync(new HardwareFaultException("ALARM:9 homing fail: limit switch not found", requiresHoming: true));
        var worker = Worker();

        await worker.StartAsync(Guard);
        var fault = await _machine.WaitForAsync(StationState.Fault, Guard);

        Assert.Equal(StationState.Homing, fault.From);
        Assert.Equal("ALARM:9 homing fail: limit switch not found", fault.Reason);
        _panel.Received().ShowIndicator(StatusIndicator.Fault);
        await worker.StopAsync(Guard);
    }

    [Fact]
    public async Task Stop_holds_motion_and_switches_lights_off_but_keeps_motors_when_Z_can_drop()
    {
        var worker = Worker(zHoldsItself: false);
        await worker.StartAsync(Guard);
        await _machine.WaitForAsync(StationState.Ready, Guard);

        await worker.StopAsync(Guard);

        Assert.Equal(StationState.Stopping, _machine.State);
        await _stage.Received(1).FeedHoldAsync(Arg.Any<CancellationToken>());
        await _light.Received(2).AllOffAsync(Arg.Any<CancellationToken>()); // at start and at stop
        _panel.DidNotReceive().SetMotorsEnabled(false);
    }

    [Fact]
    public async Task Stop_switches_motors_off_when_Z_holds_itself()
    {
        var worker = Worker(zHoldsItself: true);
        await worker.StartAsync(Guard);
        await _machine.WaitForAsync(StationState.Ready, Guard);

        await worker.StopAsync(Guard);

        await _stage.Received(1).FeedHoldAsync(Arg.Any<CancellationToken>());
        _panel.Received(1).SetMotorsEnabled(false);
    }

    [Fact]
    public async Task A_failing_hold_does_not_stop_the_lights_going_off()
    {
        _stage.FeedHoldAsync(Arg.Any<CancellationToken>()).ThrowsAsync(new HardwareFaultException("port gone"));
        var worker = Worker(zHoldsItself: true);
        await worker.StartAsync(Guard);
        await _machine.WaitForAsync(StationState.Ready, Guard);
        _light.ClearReceivedCalls();

        await worker.StopAsync(Guard);

        await _light.Received(1).AllOffAsync(Arg.Any<CancellationToken>());
        _panel.Received(1).SetMotorsEnabled(false);
    }

    [Fact]
    public async Task Once_mode_asks_the_host_to_stop_after_Ready()
    {
        var worker = Worker(once: true);
        var stopRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.When(l => l.StopApplication()).Do(_ => stopRequested.TrySetResult());

        await worker.StartAsync(Guard);
        await stopRequested.Task.WaitAsync(Guard);

        Assert.Equal(StationState.Ready, _machine.State);
        await worker.StopAsync(Guard);
    }
}
