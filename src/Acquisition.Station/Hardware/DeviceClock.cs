namespace Acquisition.Station.Hardware;

/// <summary>
/// The clock the devices run on: the system clock on a real station, the simulator's (possibly virtual) clock in the
/// sim profile. The capture sequence must time its waits on the same clock as the devices it waits for.
/// </summary>
public sealed record DeviceClock(TimeProvider Time);
