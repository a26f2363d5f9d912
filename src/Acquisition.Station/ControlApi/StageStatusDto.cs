namespace Acquisition.Station.ControlApi;

public sealed record StageStatusDto(string State, double XMicrometres, double YMicrometres, double ZMicrometres, bool Homed, string LimitPins, DateTimeOffset At);
