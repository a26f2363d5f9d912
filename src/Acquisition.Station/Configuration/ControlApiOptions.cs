namespace Acquisition.Station.Configuration;

/// <summary>The "ControlApi" section: the Unix-socket HTTP/JSON API other tools use to reach the hardware owner.</summary>
public sealed class ControlApiOptions
{
    public const string Section = "ControlApi";

    /// <summary>
    /// Socket path; empty means $RUNTIME_DIRECTORY/control.sock under systemd, else &lt;data&gt;/run/control.sock.
    /// </summary>
    public string SocketPath { get; set; } = "";

    /// <summary>Group that may use the socket (mode 0660); empty keeps the daemon's own group.</summary>
    public string SocketGroup { get; set; } = "";
}
