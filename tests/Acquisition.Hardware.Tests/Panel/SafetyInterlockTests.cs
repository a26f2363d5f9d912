using Acquisition.Core.Hardware;
using Acquisition.Hardware.Panel;
using NSubstitute;

namespace Acquisition.Hardware.Tests.Panel;

public class SafetyInterlockTests
{
    [Fact]
    public async Task Door_opening_holds_the_stage_and_switches_the_light_off_even_if_the_hold_fails()
    {
        var panel = Substitute.For<IOperatorPanel>();
        var stage = Substitute.For<IStage>();
        var light = Substitute.For<IRingLight>();
        stage.FeedHoldAsync(Arg.Any<CancellationToken>()).Returns(Task.FromException(new HardwareFaultException("port gone")));
        using var interlock = new SafetyInterlock(panel, stage, light);
        var tripped = new TaskCompletionSource<Exception?>();
        interlock.Tripped += (_, ex) => tripped.TrySetResult(ex);

        panel.EventRaised += Raise.Event<EventHandler<PanelEvent>>(panel, new PanelEvent(PanelEventKind.DoorOpened, DateTimeOffset.UnixEpoch));
        var failure = await tripped.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await stage.Received(1).FeedHoldAsync(Arg.Any<CancellationToken>());
        await light.Received(1).AllOffAsync(Arg.Any<CancellationToken>());
        Assert.Equal("port gone", failure?.Message);
    }

    [Fact]
    public async Task Other_panel_events_do_nothing()
    {
        var panel = Substitute.For<IOperatorPanel>();
        var stage = Substitute.For<IStage>();
        var light = Substitute.For<IRingLight>();
        using var interlock = new SafetyInterlock(panel, stage, light);
        panel.EventRaised += Raise.Event<EventHandler<PanelEvent>>(panel, new PanelEvent(PanelEventKind.DoorClosed, DateTimeOffset.UnixEpoch));
        panel.EventRaised += Raise.Event<EventHandler<PanelEvent>>(panel, new PanelEvent(PanelEventKind.CapturePressed, DateTimeOffset.UnixEpoch));
        await stage.DidNotReceive().FeedHoldAsync(Arg.Any<CancellationToken>());
        await light.DidNotReceive().AllOffAsync(Arg.Any<CancellationToken>());
    }
}
