namespace Acquisition.Core.Control;

/// <summary>
/// The stage as the motion controller last reported it (machine coordinates, µm). GET /status carries it, and
/// home, jog and move answer with it once the move has finished.
/// </summary>
/// <param name="State">GRBL's machine state: "Idle", "Run", "Jog", "Home", "Alarm", "Door", ...</param>
/// <param name="LimitPins">Active limit/door inputs (GRBL's Pn field), empty when none.</param>
/// <param name="At">When the controller reported it (UTC).</param>
public sealed record StageReport(
    string State,
    double XMicrometres,
    double YMicrometres,
    double ZMicrometres,
    bool Homed,
    string LimitPins,
    DateTimeOffset At);
