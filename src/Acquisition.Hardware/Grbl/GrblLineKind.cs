namespace Acquisition.Hardware.Grbl;

/// <summary>What one line received from GRBL is, so that the reader loop can route it to the right waiter.</summary>
public enum GrblLineKind
{
    Empty,
    Ok,
    Error,
    Alarm,
    Status,
    Message,
    Feedback,
    Setting,
    Banner,
    Garbage,
}
