using Acquisition.Core.Domain;

namespace Acquisition.ServiceConsole.Rendering;

/// <summary>The console's names of calibration kinds, matching the `acq calibrate` verbs.</summary>
internal static class CalibrationNames
{
    public static string Verb(CalibrationKind kind) => kind switch
    {
        CalibrationKind.PixelSize => "pixel-size",
        CalibrationKind.FlatField => "flat-field",
        CalibrationKind.ZScale => "z",
        CalibrationKind.Lights => "lights",
        CalibrationKind.Reference => "reference",
        _ => kind.ToString(),
    };

    /// <summary>How an engineer renews it.</summary>
    public static string RenewCommand(CalibrationKind kind) =>
        kind == CalibrationKind.Reference ? "acq verify reference" : "acq calibrate " + Verb(kind);
}
