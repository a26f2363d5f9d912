namespace Acquisition.Hardware.Grbl;

/// <summary>
/// GRBL 1.1's documented meanings of <c>error:N</c> and <c>ALARM:N</c> (grbl/doc/markdown/interface.md and
/// doc/csv/error_codes_en_US.csv, alarm_codes_en_US.csv), so that no fault ever reaches the operator as "Unknown error".
/// </summary>
public static class GrblCodes
{
    private static readonly Dictionary<int, string> Errors = new()
    {
        [1] = "expected command letter: a G-code word has no letter",
        [2] = "bad number format: a value is missing or malformed",
        [3] = "invalid statement: the '$' system command is not recognised or supported",
        [4] = "negative value: a value that must be positive is negative",
        [5] = "setting disabled: homing cycle is not enabled in the settings ($22)",
        [6] = "minimum step pulse time must be greater than 3 µs",
        [7] = "EEPROM read failed: settings were reset to defaults",
        [8] = "not idle: '$' commands are only valid when GRBL is idle",
        [9] = "G-code locked out during alarm or jog state",
        [10] = "soft limits cannot be enabled without homing also enabled",
        [11] = "line overflow: the line exceeds GRBL's maximum line length (80 characters)",
        [12] = "step rate exceeded: the ($100-$102 × $110-$112) step rate is above what GRBL supports",
        [13] = "safety door detected as opened and door state initiated",
        [14] = "build info or startup line exceeds EEPROM line length",
        [15] = "jog target exceeds machine travel; the jog was ignored",
        [16] = "invalid jog command: jog must have '=' and contain only G20/G21/G90/G91/G53 and axis/feed words",
        [17] = "laser mode requires PWM output",
        [20] = "unsupported or invalid G-code command",
        [21] = "more than one G-code command from the same modal group in the block",
        [22] = "feed rate has not yet been set or is undefined",
        [23] = "G-code command requires an integer value",
        [24] = "more than one G-code command that requires axis words in the block",
        [25] = "repeated G-code word in the block",
        [26] = "no axis words in a command that requires them",
        [27] = "line number value is invalid",
        [28] = "G-code command is missing a required value word",
        [29] = "G59.x work coordinate systems are not supported",
        [30] = "G53 is only allowed with G0 and G1 motion modes",
        [31] = "axis words found in a block where no command or modal state uses them",
        [32] = "G2/G3 arcs need at least one in-plane axis word",
        [33] = "motion command target is invalid",
        [34] = "arc radius value is invalid",
        [35] = "G2/G3 arcs need at least one in-plane offset word",
        [36] = "unused value words found in the block",
        [37] = "G43.1 dynamic tool length offset is not assigned to the configured tool length axis",
        [38] = "tool number greater than the maximum supported value",
    };

    private static readonly Dictionary<int, string> Alarms = new()
    {
        [1] = "hard limit: a limit switch was triggered; the machine position is likely lost, re-homing is required",
        [2] = "soft limit: the G-code motion target exceeds the machine travel; the position was retained",
        [3] = "reset while in motion: GRBL cannot guarantee the position, lost steps are likely; re-homing is required",
        [4] = "probe fail: the probe is not in the expected initial state before the probe cycle",
        [5] = "probe fail: the probe did not contact the workpiece within the programmed travel",
        [6] = "homing fail: reset during the active homing cycle",
        [7] = "homing fail: the safety door was opened during the active homing cycle",
        [8] = "homing fail: the cycle failed to clear the limit switch when pulling off; increase the pull-off ($27) or check the wiring",
        [9] = "homing fail: the limit switch was not found within the search distance; check the switch and its wiring",
    };

    public static string DescribeError(int code) =>
        Errors.TryGetValue(code, out var text) ? text : $"error code {code} is not in GRBL 1.1's table (firmware newer than 1.1h?)";

    public static string DescribeAlarm(int code) =>
        Alarms.TryGetValue(code, out var text) ? text : $"alarm code {code} is not in GRBL 1.1's table (firmware newer than 1.1h?)";

    /// <summary>Alarms after which GRBL's position cannot be trusted.</summary>
    public static bool AlarmLosesPosition(int code) => code is 1 or 3 or >= 6;

    /// <summary>Alarms that GRBL holds until it gets a reset (it prints "[MSG:Reset to continue]").</summary>
    public static bool AlarmNeedsReset(int code) => code is 1 or 2;
}
