namespace Acquisition.Station.Service.Diagnostics;

/// <summary>
/// Maps the diagnostic endpoints of the control API (docs/control-api.md: POST /camera/snap, /autofocus, /selftest).
/// They are mapped with the service endpoints, on the control socket's pipeline only (peer credentials required),
/// and each one audits with the caller's user.
/// </summary>
public static class DiagnosticsApi
{
    public static WebApplication MapDiagnosticsApi(this WebApplication app)
    {
        // "One diagnostic at a time, none during a capture" is the station state machine's (ServicingLease), not the handlers'.
        var handlers = new DiagnosticsHandlers();
        app.MapPost(Acquisition.Core.Control.ControlApiRoutes.CameraSnap, handlers.SnapAsync);
        app.MapPost(Acquisition.Core.Control.ControlApiRoutes.Autofocus, handlers.AutofocusAsync);
        app.MapPost(Acquisition.Core.Control.ControlApiRoutes.SelfTest, handlers.SelfTestAsync);
        return app;
    }
}
