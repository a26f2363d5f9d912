namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// "Station:Calibration:Reference": where the reference casing sits (null: wherever the stage is), how its height map
/// is acquired, and the control limits. Validated at start.
/// </summary>
public sealed class ReferenceVerificationOptions
{
    public double? XMicrometres { get; set; }
    public double? YMicrometres { get; set; }
    public double? ZMicrometres { get; set; }

    /// <summary>Z range of the focus sweep, centred on the start Z.</summary>
    public double RangeMicrometres { get; set; } = 80;
    public double StepMicrometres { get; set; } = 4;

    /// <summary>Ring level for the sweep (all segments).</summary>
    public double LightLevel { get; set; } = 0.3;

    /// <summary>Lower control limit of the areal cross-correlation with the stored reference topography.</summary>
    public double MinimumCorrelation { get; set; } = 0.95;

    /// <summary>Upper control limit of the relative change of the areal roughness Sq against the stored topography.</summary>
    public double MaximumSqChangePercent { get; set; } = 10;

    public void Validate()
    {
        if (RangeMicrometres is <= 0 or > 5000 || StepMicrometres <= 0 || StepMicrometres > RangeMicrometres / 4)
        {
            throw new InvalidOperationException($"Station:Calibration:Reference: RangeMicrometres {RangeMicrometres} and StepMicrometres {StepMicrometres} must give at least 4 slices within 0–5000 µm.");
        }
        if (LightLevel is <= 0 or > 1 || MinimumCorrelation is <= 0 or > 1 || MaximumSqChangePercent <= 0)
        {
            throw new InvalidOperationException("Station:Calibration:Reference: LightLevel and MinimumCorrelation are 0–1 (exclusive of 0), MaximumSqChangePercent is positive.");
        }
    }
}
