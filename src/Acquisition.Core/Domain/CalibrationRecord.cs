using System.Text.Json;

namespace Acquisition.Core.Domain;

/// <summary>
/// One dated, versioned calibration result. Records are immutable: a new calibration writes a new version and the
/// history keeps the old ones, so every capture can name exactly the records it used.
/// </summary>
public sealed record CalibrationRecord
{
    /// <summary>e.g. "pixel-size-v3".</summary>
    public required string Id { get; init; }
    public required CalibrationKind Kind { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset PerformedAt { get; init; }
    public required DateTimeOffset ValidUntil { get; init; }
    public required string PerformedBy { get; init; }
    /// <summary>The measured values, kind-specific (e.g. {"pixelSizeXMicrometres": 2.5, ...}).</summary>
    public required JsonElement Values { get; init; }
    /// <summary>Fit residuals and uncertainties, kind-specific.</summary>
    public JsonElement? Residuals { get; init; }
    /// <summary>Instrument state at the time: firmware, temperatures, software version.</summary>
    public JsonElement? InstrumentState { get; init; }

    public bool IsValidAt(DateTimeOffset when) => when < ValidUntil;
}
