using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Station.ControlApi;
using Acquisition.Station.Hardware;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Processing;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>
/// The handlers of POST /camera/snap, /autofocus and /selftest. Each holds the station in Servicing while it runs
/// (<see cref="ServicingLease"/>): one diagnostic at a time, none while a capture runs, and no capture (button, page
/// or socket) while one runs. Hardware work is not tied to the request: a client that disconnects does not leave the
/// stage half-way or the lights in a test pattern.
/// </summary>
public sealed class DiagnosticsHandlers
{
    /// <summary>Longest exposure a snapshot may ask for: beyond it the request is a typo, not a measurement.</summary>
    private static readonly TimeSpan MaxSnapExposure = TimeSpan.FromSeconds(10);

    public async Task<IResult> SnapAsync(HttpContext context, IServiceProvider services, StationStateMachine machine, AuditLog audit)
    {
        var camera = services.GetService<ICamera>();
        if (camera is null)
        {
            return NoCamera();
        }
        SnapRequest? request;
        try
        {
            request = await ReadOptionalAsync<SnapRequest>(context).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.Problem("The body is not a snapshot request. Send JSON like { \"exposureMicroseconds\": 8000, \"gain\": null }, or no body.",
                statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        var errors = new Dictionary<string, string[]>();
        if (request?.ExposureMicroseconds is { } e && (!(e > 0) || TimeSpan.FromMicroseconds(e) > MaxSnapExposure))
        {
            errors["exposureMicroseconds"] = [$"The exposure must be above 0 and at most {MaxSnapExposure.TotalMicroseconds:0} µs."];
        }
        if (request?.Gain is { } g && (!(g >= 0) || double.IsInfinity(g)))
        {
            errors["gain"] = ["The gain must be 0 or more."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors, "The snapshot request is out of range; see errors.", statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        using var lease = ServicingLease.TryTake(machine, "snapshot", context.GetCaller().UserName, out var refused);
        if (lease is null)
        {
            return refused!;
        }
        var clock = DeviceClock(services);
        var before = camera.Settings;
        var wanted = before with
        {
            Exposure = request?.ExposureMicroseconds is { } us ? TimeSpan.FromMicroseconds(us) : before.Exposure,
            Gain = request?.Gain ?? before.Gain,
        };
        Frame frame;
        CameraSettings used;
        try
        {
            used = wanted == before ? before : await camera.ConfigureAsync(wanted, CancellationToken.None).ConfigureAwait(false);
            try
            {
                frame = await camera.CaptureAsync(clock.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                if (wanted != before)
                {
                    // Captures must find the camera as it was configured for them.
                    await camera.ConfigureAsync(before, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (HardwareFaultException ex)
        {
            await audit.AppendAsync(context.GetCaller().UserName, "camera.snap.failed", new { error = ex.Message }, CancellationToken.None).ConfigureAwait(false);
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status500InternalServerError, title: "Hardware fault");
        }
        var png = FramePng.Encode(frame);
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(png));
        await audit.AppendAsync(context.GetCaller().UserName, "camera.snap", new
        {
            exposureMicroseconds = used.Exposure.TotalMicroseconds,
            gain = used.Gain,
            width = frame.Width,
            height = frame.Height,
            bitDepth = frame.BitDepth,
            sha256,
        }, CancellationToken.None).ConfigureAwait(false);
        return Results.File(png, "image/png");
    }

    public async Task<IResult> AutofocusAsync(HttpContext context, IServiceProvider services, StationStateMachine machine, IStage stage, IOperatorPanel panel, AuditLog audit)
    {
        var camera = services.GetService<ICamera>();
        if (camera is null)
        {
            return NoCamera();
        }
        AutofocusRequest? request;
        try
        {
            request = await ReadOptionalAsync<AutofocusRequest>(context).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return Results.Problem("The body is not an autofocus request. Send JSON like { \"rangeMicrometres\": 200, \"stepMicrometres\": 10 }, or no body for the defaults.",
                statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
        }
        Acquisition.Core.Units.Micrometres range, step;
        FocusWindow window;
        try
        {
            (range, step) = AutofocusSweep.Validate(request);
            window = AutofocusSweep.WindowFor(request, camera.Settings, request?.WindowMicrometres is null ? null : LatestPixelCalibration(services));
        }
        catch (DiagnosticRefusedException ex)
        {
            return Results.Problem(ex.Message, statusCode: ex.StatusCode, title: ex.Title);
        }
        if (!panel.DoorClosed)
        {
            return Results.Problem("The door is open; the stage does not move with the door open. Close it and retry.", statusCode: StatusCodes.Status409Conflict, title: "Door open");
        }
        if (!stage.Status.IsHomed)
        {
            return Results.Problem("The stage is not homed, so its position is unknown. Home it first (acq home).", statusCode: StatusCodes.Status409Conflict, title: "Not homed");
        }
        var user = context.GetCaller().UserName;
        using var lease = ServicingLease.TryTake(machine, "autofocus", user, out var refused);
        if (lease is null)
        {
            return refused!;
        }
        if (await ServiceEndpoints.ResumeHeldAsync(stage, DeviceClock(services), panel).ConfigureAwait(false) is { } stuck)
        {
            return stuck;
        }
        var sweep = new AutofocusSweep(stage, camera, FocusMeasure(services), DeviceClock(services));
        return await LongOperation.RunAsync(context,
            progress => AuditFailureAsync(audit, user, "stage.autofocus.failed", () => sweep.RunAsync(range, step, window, progress, CancellationToken.None)),
            result => audit.AppendAsync(user, "stage.autofocus", new
            {
                peakFound = result.PeakFound,
                bestZMicrometres = result.BestZMicrometres,
                rangeMicrometres = range.Value,
                stepMicrometres = step.Value,
                windowMicrometres = request?.WindowMicrometres,
                windowPixels = new { x = window.X, y = window.Y, width = window.Width, height = window.Height },
                samples = result.Curve.Count,
                surfaces = result.Surfaces?.Select(f => new { zMicrometres = f.ZMicrometres, shareOfWindow = f.ShareOfWindow }),
                message = result.Message,
            }, CancellationToken.None)).ConfigureAwait(false);
    }

    public async Task<IResult> SelfTestAsync(HttpContext context, IServiceProvider services, StationStateMachine machine, IStage stage, IRingLight light,
        IOperatorPanel panel, DataDirectory data, DurableFileWriter writer, AuditLog audit)
    {
        var user = context.GetCaller().UserName;
        using var lease = ServicingLease.TryTake(machine, "self-test", user, out var refused);
        if (lease is null)
        {
            return refused!;
        }
        if (await ServiceEndpoints.ResumeHeldAsync(stage, DeviceClock(services), panel).ConfigureAwait(false) is { } stuck)
        {
            return stuck;
        }
        var test = new SelfTest(new SelfTestDevices(stage, light, panel, services.GetService<ICamera>(), FocusMeasure(services), data, writer,
            services.GetService<IDiskSpaceProbe>() ?? new DriveDiskSpaceProbe(), services.GetService<IClockSyncProbe>() ?? new KernelClockSyncProbe(),
            DeviceClock(services)));
        return await LongOperation.RunAsync(context,
            progress => AuditFailureAsync(audit, user, "selftest.failed", () => test.RunAsync(progress, CancellationToken.None)),
            report => audit.AppendAsync(user, "selftest.run", new
            {
                passed = report.Passed,
                items = report.Items.Count,
                failed = report.Items.Where(i => !i.Passed).Select(i => $"{i.Device}: {i.Check}").ToList(),
            }, CancellationToken.None)).ConfigureAwait(false);
    }

    private static async Task<T> AuditFailureAsync<T>(AuditLog audit, string user, string action, Func<Task<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (HardwareFaultException ex)
        {
            await audit.AppendAsync(user, action, new { error = ex.Message }, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The clock the devices stamp frames and settle points on (the simulator's in the sim profile).</summary>
    private static TimeProvider DeviceClock(IServiceProvider services) =>
        services.GetService<DeviceClock>()?.Time ?? services.GetRequiredService<TimeProvider>();

    /// <summary>
    /// The capture workflow's focus measure. A sweep scores the window <see cref="AutofocusSweep.WindowFor"/> gives: the
    /// view unless the engineer names a window, because a sweep knows no calibre to centre a primer window on.
    /// </summary>
    private static IFocusMeasure FocusMeasure(IServiceProvider services) =>
        services.GetService<IFocusMeasure>() ?? new LaplacianVarianceFocusMeasure(0.9);

    /// <summary>
    /// The newest pixel-size record, expired or not: it only sizes a service sweep's window, where a year-old pixel
    /// size is still right to a fraction of a percent; captures insist on a valid one.
    /// </summary>
    private static PixelCalibration? LatestPixelCalibration(IServiceProvider services)
    {
        if (services.GetService<CalibrationStore>()?.History(CalibrationKind.PixelSize).OrderByDescending(r => r.Version).FirstOrDefault() is not { } record)
        {
            return null;
        }
        try
        {
            return PixelCalibration.FromRecord(record);
        }
        catch (InvalidDataException ex)
        {
            throw new DiagnosticRefusedException(StatusCodes.Status409Conflict, "Bad pixel-size calibration", ex.Message);
        }
    }

    private static async Task<T?> ReadOptionalAsync<T>(HttpContext context) where T : class
    {
        if (context.Request.ContentLength is 0 || (context.Request.ContentLength is null && !context.Request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return null;
        }
        return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, ControlApiJson.Options, context.RequestAborted).ConfigureAwait(false);
    }

    private static IResult NoCamera() =>
        Results.Problem(string.Create(CultureInfo.InvariantCulture,
            $"This station is composed without a camera (Station:Hardware), so there is nothing to image. Use the sim or real hardware profile."),
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "No camera");
}
