using Acquisition.Core.Station;

namespace Acquisition.Station.Hosting;

/// <summary>Writes every state transition and its reason to the log (the journal on a station).</summary>
public sealed class StateTransitionLogger(StationStateMachine machine, ILogger<StateTransitionLogger> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        machine.Changed += OnChanged;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        machine.Changed -= OnChanged;
        return Task.CompletedTask;
    }

    private void OnChanged(object? sender, StationStateChange change)
    {
        var level = change.To == StationState.Fault ? LogLevel.Error : LogLevel.Information;
        log.Log(level, "State {From} -> {To}: {Reason}", change.From, change.To, change.Reason);
    }
}
