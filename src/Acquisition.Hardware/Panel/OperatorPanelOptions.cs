namespace Acquisition.Hardware.Panel;

/// <summary>Timing and polarity of the operator panel. Pin numbers come from Core's PinMap.</summary>
public sealed class OperatorPanelOptions
{
    /// <summary>An input must be stable this long before a change counts (contact bounce of panel buttons is ~5–20 ms).</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(30);

    /// <summary>Held at least this long, the capture button means abort instead of capture.</summary>
    public TimeSpan LongPress { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>Busy blinks slowly, Fault fast: half-periods (on time = off time).</summary>
    public TimeSpan BusyBlinkHalfPeriod { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan FaultBlinkHalfPeriod { get; set; } = TimeSpan.FromMilliseconds(125);

    public bool LedsActiveHigh { get; set; } = true;

    public bool MotorEnableActiveHigh { get; set; } = true;

    /// <summary>True: a present casing reads high.</summary>
    public bool CasingPresentHigh { get; set; } = true;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Debounce < TimeSpan.Zero || Debounce > TimeSpan.FromMilliseconds(500))
        {
            errors.Add($"Panel:Debounce={Debounce} must be 0–500 ms.");
        }
        if (LongPress <= Debounce)
        {
            errors.Add($"Panel:LongPress={LongPress} must be longer than the debounce time {Debounce}.");
        }
        if (BusyBlinkHalfPeriod <= TimeSpan.Zero || FaultBlinkHalfPeriod <= TimeSpan.Zero)
        {
            errors.Add("Panel:BusyBlinkHalfPeriod and FaultBlinkHalfPeriod must be positive.");
        }
        return errors;
    }
}
