using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.ControlApi;

/// <summary>The control API's endpoints. Later issues add theirs here; all of them reach the hardware only through this daemon.</summary>
public static class ControlEndpoints
{
    public static WebApplication MapControlApi(this WebApplication app)
    {
        app.Use(ControlCaller.RequirePeerCredentials);
        // GET /status is served by Service.ServiceEndpoints (the full report of docs/control-api.md).
        app.MapGet("/whoami", (HttpContext context) =>
        {
            var c = context.GetCaller();
            return new CallerResponse(c.UserName, c.Uid, c.Gid, c.Pid);
        });
        return app;
    }

    private static StatusResponse GetStatus(
        StationStateMachine machine,
        IStage stage,
        IRingLight light,
        IOperatorPanel panel,
        IOptions<StationOptions> station,
        StationInfo info)
    {
        var last = machine.LastChange;
        var s = stage.Status;
        var l = light.Current;
        return new StatusResponse(
            station.Value.StationId,
            last.To.ToString(),
            last.Reason,
            last.At,
            new StageStatusDto(s.State.ToString(), s.Position.X.Value, s.Position.Y.Value, s.Position.Z.Value, s.IsHomed, s.LimitPins, s.At),
            new LightsDto([.. l.Segments], l.Coaxial, l.IsOff),
            new PanelDto(panel.DoorClosed ? "closed" : "open", panel.CasingPresent, panel.MotorsEnabled, panel.Indicator.ToString()),
            info.SoftwareVersion,
            info.StartedAt,
            Math.Round(info.Uptime.TotalSeconds, 3));
    }
}
