using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim;

/// <summary>A snapshot of the bench for the control socket and the tool.</summary>
public sealed record BenchStatus(
    DateTimeOffset At,
    string ClockMode,
    string ControllerState,
    StagePosition Reported,
    StagePosition True,
    long[] ReportedSteps,
    long[] TrueSteps,
    LightingDetail Lights,
    IReadOnlyDictionary<string, int> PinLevels,
    bool ButtonPressed,
    bool DoorOpen,
    bool CasingPresent,
    IReadOnlyList<string> ActiveFaults,
    string SerialPort,
    bool CanSnap,
    bool DriversEnabled,
    bool ReferenceValid,
    string? ArmedFault,
    double[] WorkCoordinateOffsetMm);
