using System.Text.Json;
using System.Text.Json.Serialization;

namespace Acquisition.Workflow.Capture.Record;

/// <summary>The content of capture.json (schema acquisition.capture/v1). Times are UTC; TimeZone is the station's IANA zone.</summary>
public sealed record CaptureRecord
{
    public const string SchemaName = "acquisition.capture/v1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase), new UtcDateTimeOffsetConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public string Schema { get; init; } = SchemaName;
    public required string CaptureId { get; init; }
    public required string StationId { get; init; }
    public required string SoftwareVersion { get; init; }
    public required string OperatorId { get; init; }
    public required CaptureStatus Status { get; init; }
    public required IReadOnlyList<string> Reasons { get; init; }
    public required CaseRecord Case { get; init; }
    public required SearchProtocolRecord SearchProtocol { get; init; }
    public required RecipeReference? Recipe { get; init; }
    public required IReadOnlyList<CalibrationReference> Calibrations { get; init; }
    public required IntegrityFlags Integrity { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public DateTimeOffset? SealedAt { get; init; }
    public required string TimeZone { get; init; }
    public PrimerRecord? Primer { get; init; }

    /// <summary>
    /// The primer's distance from the optical axis (µm) at each position check (before a QC retry and at the end):
    /// the image's evidence that X and Y did not lose steps.
    /// </summary>
    public IReadOnlyList<double> PositionCheckOffsetsMicrometres { get; init; } = [];
    public AutofocusRecord? Autofocus { get; init; }
    public required IReadOnlyList<RegionRecord> Regions { get; init; }
    public required TimingRecord Timing { get; init; }
    public string? AuditHeadHash { get; init; }
    public bool RawStacksIncluded { get; init; }

    /// <summary>
    /// Per calibration kind (flat field, lights, magnification): the record the capture took its correction from and
    /// what it applied to the frames, the light levels or the stacker, or why nothing. Raw frames stay uncorrected.
    /// </summary>
    public IReadOnlyList<AppliedCalibration> CalibrationsApplied { get; init; } = [];

    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
}
