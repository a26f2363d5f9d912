using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Storage;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// Runs one calibration procedure against the station's devices and records its result as the next version of its
/// kind in the <see cref="CalibrationStore"/> (which audits it), with who ran it, the instrument state, and any files
/// (gain maps) written durably beside the records under <c>calibration/&lt;kind&gt;/files/</c>.
/// </summary>
public sealed class CalibrationRunner
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly CalibrationDevices _devices;
    private readonly CalibrationStore _store;
    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly string _softwareVersion;

    public CalibrationRunner(CalibrationDevices devices, CalibrationStore store, DataDirectory data, DurableFileWriter writer, string softwareVersion)
    {
        _devices = devices;
        _store = store;
        _data = data;
        _writer = writer;
        _softwareVersion = softwareVersion;
    }

    /// <summary>Where a kind's files (gain maps) live.</summary>
    public string FilesDirectory(string kindWireName) => Path.Combine(_data.Calibration, kindWireName, "files");

    /// <summary>Runs the procedure; throws <see cref="CalibrationRefusedException"/> (nothing recorded) when the target is unusable.</summary>
    public async Task<CalibrationResult> RunAsync(CalibrationKind kind, CalibrationRequest request, string performedBy,
        IProgress<ProcedureProgress>? progress, CancellationToken ct)
    {
        var parameters = request.Parameters ?? new Dictionary<string, double>();
        var stateBefore = await InstrumentStateAsync(ct).ConfigureAwait(false);
        var outcome = kind switch
        {
            CalibrationKind.PixelSize => await new PixelSizeProcedure(_devices).RunAsync(parameters, progress, ct).ConfigureAwait(false),
            CalibrationKind.FlatField => await new FlatFieldProcedure(_devices).RunAsync(parameters, progress, ct).ConfigureAwait(false),
            CalibrationKind.ZScale => await new ZScaleProcedure(_devices).RunAsync(request.Target, parameters, progress, ct).ConfigureAwait(false),
            CalibrationKind.Lights => await new LightsProcedure(_devices).RunAsync(parameters, progress, ct).ConfigureAwait(false),
            _ => throw new CalibrationRefusedException($"{kind} is not a calibration procedure; the reference casing is checked with 'acq verify reference'."),
        };
        var kindName = ControlApiJson.WireName(kind);
        foreach (var file in outcome.Files)
        {
            var path = Path.Combine(FilesDirectory(kindName), file.Name);
            // Content-addressed names: an existing file with this name already holds these bytes.
            if (!File.Exists(path))
            {
                await _writer.WriteAsync(path, file.Content, ct).ConfigureAwait(false);
            }
        }
        var values = new Dictionary<string, object?>(outcome.Values) { ["target"] = request.Target };
        var record = await _store.RecordAsync(kind, JsonSerializer.SerializeToElement(values, Json), performedBy,
            JsonSerializer.SerializeToElement(outcome.Residuals, Json), JsonSerializer.SerializeToElement(stateBefore, Json), ct).ConfigureAwait(false);
        return new CalibrationResult(record, outcome.Summary, outcome.Warnings);
    }

    private async Task<Dictionary<string, object?>> InstrumentStateAsync(CancellationToken ct)
    {
        var stage = await _devices.Stage.QueryStatusAsync(ct).ConfigureAwait(false);
        var camera = _devices.Camera.Settings;
        return new Dictionary<string, object?>
        {
            ["software"] = _softwareVersion,
            ["deviceClock"] = _devices.DeviceClock.GetUtcNow(),
            ["stage"] = new { xMicrometres = stage.Position.X.Value, yMicrometres = stage.Position.Y.Value, zMicrometres = stage.Position.Z.Value, homed = stage.IsHomed },
            ["camera"] = new { widthPixels = camera.Width, heightPixels = camera.Height, pixelFormat = camera.Format.ToString(), exposureMicroseconds = camera.Exposure.TotalMicroseconds, gain = camera.Gain },
            ["lights"] = new { segments = _devices.Lights.Current.Segments.ToArray(), coaxial = _devices.Lights.Current.Coaxial },
        };
    }
}
