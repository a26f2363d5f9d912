namespace Acquisition.HardwareSim.Grbl;

/// <summary>
/// The simulated controller's settings store and the hidden mechanical truth behind it, which the controller
/// (and so the station) cannot see.
/// </summary>
public sealed class GrblOptions
{
    /// <summary>Settings changed from <see cref="GrblSettings.StationDefaults"/> before the file is read.</summary>
    public Dictionary<int, double> SettingOverrides { get; set; } = [];

    /// <summary>File the $-settings persist to (GRBL's EEPROM); null keeps them in memory.</summary>
    public string? SettingsPath { get; set; }

    /// <summary>True distance between the two limit switches per axis (X, Y, Z), mm. Null: equal to $130–$132.</summary>
    public double[]? PhysicalTravelMm { get; set; }

    /// <summary>Where the carriage truly stands at power-up, mm in the ideal machine frame (home switch = 0).</summary>
    public double[] StartPositionMm { get; set; } = [-25, -25, -10];

    /// <summary>Z backlash (lost motion on reversal), µm.</summary>
    public double ZBacklashMicrometres { get; set; } = 2;

    /// <summary>Lead-screw scale error per axis, parts per million (true travel = commanded × (1 + ppm·1e-6)).</summary>
    public double[] ScaleErrorPpm { get; set; } = [0, 0, 0];

    /// <summary>
    /// How far Z moves (µm, machine +Z positive) when its driver is switched off: 0 for a self-locking lead screw,
    /// non-zero for a back-drivable one that sinks under the optics' weight.
    /// </summary>
    public double UnpoweredZDriftMicrometres { get; set; }

    public void Validate()
    {
        if (StartPositionMm.Length != 3 || ScaleErrorPpm.Length != 3 || PhysicalTravelMm is { Length: not 3 })
        {
            throw new ArgumentException("GrblOptions: StartPositionMm, ScaleErrorPpm and PhysicalTravelMm need 3 values (X, Y, Z).");
        }
        if (ZBacklashMicrometres < 0 || ZBacklashMicrometres > 1000)
        {
            throw new ArgumentException($"GrblOptions: ZBacklashMicrometres {ZBacklashMicrometres} is outside 0–1000 µm.");
        }
        if (ScaleErrorPpm.Any(p => Math.Abs(p) > 100_000))
        {
            throw new ArgumentException("GrblOptions: ScaleErrorPpm beyond ±10 % is not a lead screw; check the units (ppm).");
        }
        if (PhysicalTravelMm is not null && PhysicalTravelMm.Any(t => t <= 0))
        {
            throw new ArgumentException("GrblOptions: PhysicalTravelMm must be positive.");
        }
    }
}
