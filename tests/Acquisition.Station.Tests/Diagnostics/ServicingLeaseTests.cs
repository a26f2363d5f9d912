using Acquisition.Core.Station;
using Acquisition.Station.Service.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>The Servicing state as the guard shared by diagnostics and captures, on the state machine alone.</summary>
public sealed class ServicingLeaseTests
{
    private readonly StationStateMachine _machine = new(new FakeTimeProvider(DateTimeOffset.Parse("2026-11-23T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void A_lease_from_Ready_refuses_a_capture_and_a_second_diagnostic_with_its_reason_and_gives_Ready_back()
    {
        _machine.TransitionTo(StationState.Ready, "homed");
        using (var lease = ServicingLease.TryTake(_machine, "autofocus", "alice", out var refused))
        {
            Assert.NotNull(lease);
            Assert.Null(refused);
            Assert.Equal(StationState.Servicing, _machine.State);

            // What the capture sequence does to start.
            Assert.False(_machine.TryTransition(StationState.Ready, StationState.Capturing, "capture started", out var holding));
            Assert.Equal("an autofocus started by alice is running; wait for it to finish", holding.Reason);
            Assert.Throws<InvalidOperationException>(() => _machine.TransitionTo(StationState.Capturing, "capture started"));

            Assert.Null(ServicingLease.TryTake(_machine, "self-test", "bob", out var second));
            var problem = Assert.IsType<ProblemHttpResult>(second);
            Assert.Equal(StatusCodes.Status409Conflict, problem.StatusCode);
            Assert.Contains("started by alice", problem.ProblemDetails.Detail, StringComparison.Ordinal);
        }
        Assert.Equal(StationState.Ready, _machine.State);
        Assert.Equal("autofocus finished", _machine.LastChange.Reason);
        Assert.True(_machine.TryTransition(StationState.Ready, StationState.Capturing, "capture started", out _));
    }

    [Fact]
    public void A_faulted_station_can_be_diagnosed_and_stays_faulted_with_its_reason()
    {
        _machine.TransitionTo(StationState.Homing, "homing");
        _machine.TransitionTo(StationState.Fault, "X limit switch did not trigger");
        using (var lease = ServicingLease.TryTake(_machine, "self-test", "alice", out _))
        {
            Assert.NotNull(lease);
            Assert.Equal(StationState.Servicing, _machine.State);
        }
        Assert.Equal(StationState.Fault, _machine.State);
        Assert.Equal("X limit switch did not trigger", _machine.LastChange.Reason);
    }

    [Fact]
    public void A_lease_that_cleared_the_fault_gives_Ready_back_and_says_what_the_fault_was()
    {
        _machine.TransitionTo(StationState.Ready, "homed");
        _machine.TransitionTo(StationState.Fault, "capture 01J failed: hardware fault: X stalled");
        using (var lease = ServicingLease.TryTake(_machine, "manual homing", "alice", out _))
        {
            Assert.NotNull(lease);
            lease.ClearsFault("stage homed by alice");
        }
        Assert.Equal(StationState.Ready, _machine.State);
        Assert.Equal("stage homed by alice (was Fault: capture 01J failed: hardware fault: X stalled)", _machine.LastChange.Reason);

        // From Ready the same release is an ordinary one.
        using (var lease = ServicingLease.TryTake(_machine, "manual homing", "alice", out _))
        {
            lease!.ClearsFault("stage homed by alice");
        }
        Assert.Equal(StationState.Ready, _machine.State);
        Assert.Equal("manual homing finished", _machine.LastChange.Reason);
    }

    [Fact]
    public void During_a_capture_or_homing_no_lease_is_given_and_the_state_is_untouched()
    {
        _machine.TransitionTo(StationState.Ready, "homed");
        _machine.TransitionTo(StationState.Capturing, "capture 01J started");
        Assert.Null(ServicingLease.TryTake(_machine, "snapshot", "alice", out var refused));
        var problem = Assert.IsType<ProblemHttpResult>(refused);
        Assert.Equal(StatusCodes.Status409Conflict, problem.StatusCode);
        Assert.Equal("Capture running", problem.ProblemDetails.Title);
        Assert.Equal(StationState.Capturing, _machine.State);

        _machine.TransitionTo(StationState.Homing, "homing after a lost step");
        Assert.Null(ServicingLease.TryTake(_machine, "snapshot", "alice", out refused));
        Assert.Equal(StatusCodes.Status409Conflict, Assert.IsType<ProblemHttpResult>(refused).StatusCode);
        Assert.Equal(StationState.Homing, _machine.State);
    }

    [Fact]
    public void A_stop_during_a_lease_wins_and_the_release_leaves_Stopping()
    {
        _machine.TransitionTo(StationState.Ready, "homed");
        var lease = ServicingLease.TryTake(_machine, "self-test", "alice", out _);
        Assert.NotNull(lease);
        _machine.TransitionTo(StationState.Stopping, "service stopping");
        lease.Dispose();
        Assert.Equal(StationState.Stopping, _machine.State);
    }
}
