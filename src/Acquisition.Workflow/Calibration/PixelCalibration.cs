using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Calibration;

/// <summary>
/// Pixel size and camera–stage rotation from a <see cref="CalibrationKind.PixelSize"/> record. The stage position is
/// the point of the casing under the optical axis: a feature seen right of the image centre (+x, columns) lies at
/// larger stage X, one seen below it (+y, rows) at larger stage Y, when the rotation is zero; a positive rotation
/// turns the image axes counter-clockwise relative to the stage's.
/// </summary>
/// <param name="PerformedAt">When the calibration these figures come from was performed; null for figures not from a record.</param>
public sealed record PixelCalibration(Micrometres PixelSizeX, Micrometres PixelSizeY, double RotationDegrees, DateTimeOffset? PerformedAt = null)
{
    public static PixelCalibration FromRecord(CalibrationRecord record)
    {
        if (record.Kind != CalibrationKind.PixelSize)
        {
            throw new ArgumentException($"Record '{record.Id}' is a {record.Kind} calibration, not PixelSize.", nameof(record));
        }
        var v = record.Values;
        double Get(string name) => v.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number
            ? e.GetDouble()
            : throw new InvalidDataException($"Calibration record '{record.Id}' has no number '{name}'; re-run the pixel-size calibration.");
        var x = Get("pixelSizeXMicrometres");
        var y = Get("pixelSizeYMicrometres");
        var rot = v.TryGetProperty("rotationDegrees", out var r) ? r.GetDouble() : 0;
        if (x is <= 0 or > 100 || y is <= 0 or > 100)
        {
            throw new InvalidDataException($"Calibration record '{record.Id}' has pixel size {x}×{y} µm; expected 0–100 µm.");
        }
        return new PixelCalibration(new Micrometres(x), new Micrometres(y), rot, record.PerformedAt);
    }

    /// <summary>The stage displacement that brings a feature seen at (dx, dy) pixels from the image centre onto the centre.</summary>
    public (Micrometres X, Micrometres Y) ImageOffsetToStage(double dxPixels, double dyPixels)
    {
        var a = RotationDegrees * Math.PI / 180.0;
        var ux = dxPixels * PixelSizeX.Value;
        var uy = dyPixels * PixelSizeY.Value;
        return (new Micrometres((ux * Math.Cos(a)) - (uy * Math.Sin(a))), new Micrometres((ux * Math.Sin(a)) + (uy * Math.Cos(a))));
    }
}
