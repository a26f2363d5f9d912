namespace Acquisition.Core.Station;

/// <summary>One transition of the station state machine, with the reason shown to technicians and logged.</summary>
public sealed record StationStateChange(StationState From, StationState To, string Reason, DateTimeOffset At);
