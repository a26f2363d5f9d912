using Acquisition.Station.Configuration;

namespace Acquisition.Station.Hosting;

public static class ControlSocketPath
{
    /// <summary>
    /// The configured path; else the systemd runtime directory (RuntimeDirectory= in the unit, first entry of
    /// $RUNTIME_DIRECTORY); else &lt;data&gt;/run/control.sock for a developer's run.
    /// </summary>
    public static string Resolve(ControlApiOptions api, StationOptions station, string? runtimeDirectory = null)
    {
        if (!string.IsNullOrEmpty(api.SocketPath))
        {
            return api.SocketPath;
        }
        runtimeDirectory ??= Environment.GetEnvironmentVariable("RUNTIME_DIRECTORY");
        var first = runtimeDirectory?.Split(':', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return first is not null
            ? Path.Combine(first, "control.sock")
            : Path.Combine(station.DataDirectory, "run", "control.sock");
    }
}
