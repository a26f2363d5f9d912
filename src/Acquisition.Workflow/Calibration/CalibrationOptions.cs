using Acquisition.Core.Domain;
using Acquisition.Workflow.Calibration.Procedures;

namespace Acquisition.Workflow.Calibration;

/// <summary>
/// "Station:Calibration" in configuration: how long each kind of calibration stays valid, how long before expiry
/// <c>acq status</c> starts warning, and the reference verification's settings.
/// </summary>
public sealed class CalibrationOptions
{
    public Dictionary<CalibrationKind, TimeSpan> Validity { get; set; } = new()
    {
        [CalibrationKind.PixelSize] = TimeSpan.FromDays(365),
        [CalibrationKind.FlatField] = TimeSpan.FromDays(30),
        [CalibrationKind.ZScale] = TimeSpan.FromDays(180),
        [CalibrationKind.Lights] = TimeSpan.FromDays(30),
        [CalibrationKind.Reference] = TimeSpan.FromDays(90),
    };

    /// <summary>Null: the status command's own default.</summary>
    public TimeSpan? WarnBefore { get; set; }

    public ReferenceVerificationOptions Reference { get; set; } = new();

    public TimeSpan ValidityOf(CalibrationKind kind) =>
        Validity.TryGetValue(kind, out var v) ? v : TimeSpan.FromDays(30);

    public void Validate()
    {
        foreach (var (kind, validity) in Validity)
        {
            if (validity <= TimeSpan.Zero || validity > TimeSpan.FromDays(3650))
            {
                throw new InvalidOperationException(
                    $"Station:Calibration:Validity:{kind} is {validity}; it must be more than zero and at most 3650 days.");
            }
        }
    }
}
