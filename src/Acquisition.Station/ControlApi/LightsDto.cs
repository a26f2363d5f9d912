namespace Acquisition.Station.ControlApi;

public sealed record LightsDto(IReadOnlyList<double> Segments, double Coaxial, bool AllOff);
