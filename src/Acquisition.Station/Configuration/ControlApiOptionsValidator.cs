using System.Text;
using Acquisition.Station.Hosting;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class ControlApiOptionsValidator(IOptions<StationOptions> station) : IValidateOptions<ControlApiOptions>
{
    private const string S = ControlApiOptions.Section;

    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    public const int MaxSocketPathBytes = 107;

    public ValidateOptionsResult Validate(string? name, ControlApiOptions o)
    {
        var f = new ValidationFailures();
        if (!string.IsNullOrEmpty(o.SocketPath) && !Path.IsPathFullyQualified(o.SocketPath))
        {
            f.Add($"{S}:SocketPath", o.SocketPath, "an absolute path, or empty for $RUNTIME_DIRECTORY/control.sock.");
        }
        else if (StationOrNull() is { } st && Path.IsPathFullyQualified(st.DataDirectory))
        {
            var path = ControlSocketPath.Resolve(o, st);
            if (Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
            {
                f.Add(string.IsNullOrEmpty(o.SocketPath) ? $"{S}:SocketPath (from {StationOptions.Section}:DataDirectory)" : $"{S}:SocketPath",
                    path, $"a socket path of at most {MaxSocketPathBytes} bytes (a Unix socket limit); set {S}:SocketPath to a shorter path.");
            }
        }
        if (!string.IsNullOrEmpty(o.SocketGroup) && PosixAccounts.GroupIdOf(o.SocketGroup) is null)
        {
            f.Add($"{S}:SocketGroup", o.SocketGroup, "an existing group (create it with `groupadd`, see firmware-config/README.md), or empty.");
        }
        return f.ToResult();
    }

    // The Station section reports its own failures; this check only needs it when it is sound.
    private StationOptions? StationOrNull()
    {
        try
        {
            return station.Value;
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            return null;
        }
    }
}
