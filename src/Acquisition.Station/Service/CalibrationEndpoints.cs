using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Station.ControlApi;
using Acquisition.Station.Hardware;
using Acquisition.Station.Service.Diagnostics;
using Acquisition.Workflow.Calibration.Procedures;

namespace Acquisition.Station.Service;

/// <summary>
/// POST /calibrations/{kind} and POST /verify/reference (docs/control-api.md): the calibration procedures and the
/// reference verification, run against the station's own devices, one at a time, never during a capture or with the
/// door open. The records are audited by the calibration store ("calibration.recorded") with the socket peer's user;
/// refusals are audited as "calibration.refused", verifications as "reference.verified".
/// </summary>
internal static class CalibrationEndpoints
{
    public static WebApplication MapCalibrationApi(this WebApplication app)
    {
        app.MapPost(ControlApiRoutes.Calibrations + "/{kind}", CalibrateAsync);
        app.MapPost(ControlApiRoutes.VerifyReference, VerifyReferenceAsync);
        return app;
    }

    private static async Task<IResult> CalibrateAsync(string kind, HttpContext context, IServiceProvider services, StationStateMachine machine, IOperatorPanel panel,
        IStage stage, AuditLog audit, ServiceOperationGate gate)
    {
        var parsed = Enum.GetValues<CalibrationKind>().Where(k => k != CalibrationKind.Reference && ControlApiJson.WireName(k) == kind).Select(k => (CalibrationKind?)k).FirstOrDefault();
        if (parsed is not { } calibrationKind)
        {
            return Results.Problem($"'{kind}' is not a calibration: use pixel-size, flat-field, z-scale or lights (the reference casing is 'POST /verify/reference').",
                statusCode: StatusCodes.Status404NotFound, title: "No such calibration");
        }
        CalibrationRequest? request = new();
        if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            try
            {
                request = await JsonSerializer.DeserializeAsync<CalibrationRequest>(context.Request.Body, ControlApiJson.Options, context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                request = null;
            }
            if (request is null)
            {
                return Results.Problem("""The body is not a calibration request. Send JSON like { "target": "dot-grid", "parameters": { "travelMicrometres": 200 } }.""",
                    statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
            }
        }
        if (request.Parameters?.FirstOrDefault(p => !double.IsFinite(p.Value) || p.Value <= 0) is { Key: not null } bad)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["parameters." + bad.Key] = [$"{bad.Key} must be a positive number."] },
                "A calibration parameter is out of range; see errors.", statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        if (Refuse(services, machine, panel, stage) is { } refused)
        {
            return refused;
        }
        if (!gate.TryEnter())
        {
            return Busy();
        }
        var user = context.GetCaller().UserName;
        // Servicing for the whole procedure, so a capture from the button or the page cannot take the devices meanwhile.
        var lease = ServicingLease.TryTake(machine, $"{kind} calibration", user, out var held);
        if (lease is null)
        {
            gate.Exit();
            return held!;
        }
        if (await ServiceEndpoints.ResumeHeldAsync(stage, services.GetRequiredService<DeviceClock>().Time, panel).ConfigureAwait(false) is { } stuck)
        {
            lease.Dispose();
            gate.Exit();
            return stuck;
        }
        var runner = services.GetRequiredService<CalibrationRunner>();
        return await OperationStream.RunAsync(context,
            async progress =>
            {
                try
                {
                    return await runner.RunAsync(calibrationKind, request, user, progress, CancellationToken.None).ConfigureAwait(false);
                }
                finally
                {
                    lease.Dispose();
                    gate.Exit();
                }
            },
            ex => ProblemOfAsync(ex, audit, user, "calibration.refused", new { kind })).ConfigureAwait(false);
    }

    private static async Task<IResult> VerifyReferenceAsync(HttpContext context, IServiceProvider services, StationStateMachine machine, IOperatorPanel panel,
        IStage stage, AuditLog audit, ServiceOperationGate gate)
    {
        if (Refuse(services, machine, panel, stage) is { } refused)
        {
            return refused;
        }
        if (!gate.TryEnter())
        {
            return Busy();
        }
        var user = context.GetCaller().UserName;
        var lease = ServicingLease.TryTake(machine, "reference verification", user, out var held);
        if (lease is null)
        {
            gate.Exit();
            return held!;
        }
        if (await ServiceEndpoints.ResumeHeldAsync(stage, services.GetRequiredService<DeviceClock>().Time, panel).ConfigureAwait(false) is { } stuck)
        {
            lease.Dispose();
            gate.Exit();
            return stuck;
        }
        var verification = services.GetRequiredService<ReferenceVerification>();
        return await OperationStream.RunAsync(context,
            async progress =>
            {
                try
                {
                    var result = await verification.RunAsync(user, progress, CancellationToken.None).ConfigureAwait(false);
                    await audit.AppendAsync(user, "reference.verified", new { result.RecordId, result.Passed, measures = result.Measures }, CancellationToken.None).ConfigureAwait(false);
                    return result;
                }
                finally
                {
                    lease.Dispose();
                    gate.Exit();
                }
            },
            ex => ProblemOfAsync(ex, audit, user, "reference.refused", new { })).ConfigureAwait(false);
    }

    private static IResult? Refuse(IServiceProvider services, StationStateMachine machine, IOperatorPanel panel, IStage stage)
    {
        if (services.GetService<ICamera>() is null)
        {
            return Results.Problem("This station runs without a camera (hardware profile 'fake'), so calibrations cannot run. Start it with the sim or real profile.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "No camera");
        }
        if (machine.State == StationState.Capturing)
        {
            return Results.Problem("A capture is running; calibrate when it has ended.", statusCode: StatusCodes.Status409Conflict, title: "Capture running");
        }
        if (!panel.DoorClosed)
        {
            return Results.Problem("The door is open; the stage does not move with the door open. Close it and retry.", statusCode: StatusCodes.Status409Conflict, title: "Door open");
        }
        if (!stage.Status.IsHomed)
        {
            return Results.Problem("The stage is not homed, so its position is unknown. Home it first (acq home).", statusCode: StatusCodes.Status409Conflict, title: "Not homed");
        }
        return null;
    }

    private static IResult Busy() =>
        Results.Problem("Another calibration or verification is running; wait for it to finish.", statusCode: StatusCodes.Status409Conflict, title: "Busy");

    private static async Task<ControlProblem?> ProblemOfAsync(Exception ex, AuditLog audit, string user, string refusedAction, object details)
    {
        switch (ex)
        {
            case CalibrationRefusedException refused:
                await audit.AppendAsync(user, refusedAction, new { details, reason = refused.Message }, CancellationToken.None).ConfigureAwait(false);
                return new ControlProblem("about:blank", "Target unusable", StatusCodes.Status422UnprocessableEntity, refused.Message);
            case HardwareFaultException fault:
                await audit.AppendAsync(user, refusedAction, new { details, reason = fault.Message }, CancellationToken.None).ConfigureAwait(false);
                return new ControlProblem("about:blank", "Hardware fault", StatusCodes.Status500InternalServerError, fault.Message);
            case TimeoutException or OperationCanceledException:
                await audit.AppendAsync(user, refusedAction, new { details, reason = ex.Message }, CancellationToken.None).ConfigureAwait(false);
                return new ControlProblem("about:blank", "Device timeout", StatusCodes.Status500InternalServerError,
                    "A device did not answer in time during the procedure (" + ex.Message + "). Check acq status and retry.");
            default:
                return null;
        }
    }
}
