using Acquisition.Core.Units;

namespace Acquisition.Hardware.Grbl;

/// <summary>Configuration of <see cref="GrblStage"/>. Call <see cref="Validate"/> at start; it lists every problem at once.</summary>
public sealed class GrblStageOptions
{
    /// <summary>The controller's device, e.g. /dev/stage (udev symlink) or a simulator pty.</summary>
    public string PortName { get; set; } = "/dev/stage";

    public int BaudRate { get; set; } = 115200;

    /// <summary>Null leaves DTR/RTS alone: setting them on a pseudo-terminal throws "Inappropriate ioctl for device".</summary>
    public bool? DtrEnable { get; set; }

    public bool? RtsEnable { get; set; }

    /// <summary>firmware-config/grbl-settings.txt; null or empty skips the comparison.</summary>
    public string? SettingsFile { get; set; }

    /// <summary>Write differing settings to the controller (true) or only report them (false).</summary>
    public bool ApplySettings { get; set; } = true;

    public int ReceiveBufferBytes { get; set; } = 128;

    /// <summary>How long to wait for the banner after opening before sending a soft reset.</summary>
    public TimeSpan BannerTimeout { get; set; } = TimeSpan.FromSeconds(2.5);

    /// <summary>Limit for non-motion commands ($I, $$, $x=v, status queries).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Waited after the controller reports Idle at the target, for the mechanics to stop ringing.</summary>
    public TimeSpan SettleTime { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Status polling while a move runs, to see Hold/Door/Alarm early.</summary>
    public TimeSpan MotionPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Status polling while idle, for the StatusChanged event; zero disables it.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Move timeout = trapezoid time × factor + margin + settle.</summary>
    public double MotionTimeoutFactor { get; set; } = 1.5;

    public TimeSpan MotionTimeoutMargin { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Z approaches always come from below, starting at least this far under the target (backlash take-up).</summary>
    public Micrometres ZBacklashLeadIn { get; set; } = new(50);

    /// <summary>True when the Z lead screw cannot back-drive: only then does an emergency stop switch the motors off.</summary>
    public bool ZHoldsItself { get; set; }

    /// <summary>Refuse moves until homed (a reset, alarm, stall or motors-off clears the homed state).</summary>
    public bool RequireHoming { get; set; } = true;

    /// <summary>Refuse targets outside the travel before sending them (instead of letting GRBL raise ALARM:2).</summary>
    public bool CheckTravelBeforeSending { get; set; } = true;

    /// <summary>How close the reported position must be to the target: GRBL reports 1 µm, steps quantise further.</summary>
    public Micrometres PositionTolerance { get; set; } = new(2);

    public TimeSpan ReconnectInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The home-switch check stops this far short of the switch; a switch already tripped there means a stall.</summary>
    public Micrometres StallCheckTolerance { get; set; } = new(25);

    public double StallCheckFeedMillimetresPerMinute { get; set; } = 200;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(PortName))
        {
            errors.Add("Stage:PortName is empty; set the controller's device, e.g. /dev/stage.");
        }
        if (BaudRate is < 1200 or > 2_000_000)
        {
            errors.Add($"Stage:BaudRate={BaudRate} is not a serial rate; GRBL 1.1 uses 115200.");
        }
        if (ReceiveBufferBytes is < 16 or > 4096)
        {
            errors.Add($"Stage:ReceiveBufferBytes={ReceiveBufferBytes}; GRBL 1.1 on an ATmega328 has 128.");
        }
        if (MotionTimeoutFactor < 1)
        {
            errors.Add($"Stage:MotionTimeoutFactor={MotionTimeoutFactor} is below 1; a move cannot be faster than its trapezoid.");
        }
        foreach (var (name, value) in new[] { (nameof(BannerTimeout), BannerTimeout), (nameof(CommandTimeout), CommandTimeout), (nameof(MotionPollInterval), MotionPollInterval), (nameof(ReconnectInterval), ReconnectInterval) })
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"Stage:{name}={value} must be positive.");
            }
        }
        if (SettleTime < TimeSpan.Zero || IdlePollInterval < TimeSpan.Zero || MotionTimeoutMargin < TimeSpan.Zero)
        {
            errors.Add("Stage:SettleTime, IdlePollInterval and MotionTimeoutMargin must not be negative.");
        }
        if (ZBacklashLeadIn.Value < 0 || PositionTolerance.Value <= 0 || StallCheckTolerance.Value <= 0)
        {
            errors.Add("Stage:ZBacklashLeadIn must be ≥ 0 and PositionTolerance, StallCheckTolerance > 0 µm.");
        }
        if (!string.IsNullOrEmpty(SettingsFile) && !File.Exists(SettingsFile))
        {
            errors.Add($"Stage:SettingsFile='{SettingsFile}' does not exist; point it at firmware-config/grbl-settings.txt.");
        }
        return errors;
    }

    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid stage options:" + Environment.NewLine + string.Join(Environment.NewLine, errors));
        }
    }
}
