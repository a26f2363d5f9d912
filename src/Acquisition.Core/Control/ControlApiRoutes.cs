namespace Acquisition.Core.Control;

/// <summary>
/// Paths of the control API served on the station's Unix socket (docs/control-api.md). Shared by the station's
/// endpoints and the <c>acq</c> client so the two cannot drift apart.
/// </summary>
public static class ControlApiRoutes
{
    public const string Status = "/status";
    public const string WhoAmI = "/whoami";
    public const string StageHome = "/stage/home";
    public const string StageJog = "/stage/jog";
    public const string StageMove = "/stage/move";
    public const string Lights = "/lights";
    public const string CameraSnap = "/camera/snap";
    public const string Autofocus = "/autofocus";
    public const string SelfTest = "/selftest";
    public const string Calibrations = "/calibrations";
    public const string VerifyReference = "/verify/reference";
    public const string Case = "/case";
    public const string Holds = "/holds";
    public const string Outbox = "/outbox";
    public const string Config = "/config";
    public const string Enrol = "/station/enrol";
    public const string KeyRotate = "/station/keys/rotate";
    public const string Captures = "/captures";

    /// <summary>"/calibrations/{kind}" with the kind's wire name, e.g. "/calibrations/pixel-size".</summary>
    public static string Calibration(string kindWireName) => Calibrations + "/" + Uri.EscapeDataString(kindWireName);

    public static string Hold(string captureId) => Holds + "/" + Uri.EscapeDataString(captureId);

    public static string OutboxEntry(string captureId) => Outbox + "/" + Uri.EscapeDataString(captureId);

    public static string OutboxRetry(string captureId) => OutboxEntry(captureId) + "/retry";

    /// <summary>"/captures/{captureId}/corrections": the correction supplements of a sealed capture.</summary>
    public static string CaptureCorrections(string captureId) => Captures + "/" + Uri.EscapeDataString(captureId) + "/corrections";
}
