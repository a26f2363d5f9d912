using Acquisition.Station.Configuration;
using Acquisition.Station.Hosting;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.ControlApi;

/// <summary>
/// Once Kestrel has created the socket, gives it mode 0660 and the configured group, so only the daemon's user
/// and that group's members (service engineers, the console) can reach the hardware owner. The unit's UMask=0007
/// keeps the socket closed to others in the moment between bind and this call.
/// </summary>
public sealed class ControlSocketPermissions(
    ControlSocketSetup socket,
    IOptions<ControlApiOptions> api,
    ILogger<ControlSocketPermissions> log) : IHostedLifecycleService
{
    public const UnixFileMode SocketMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        var path = socket.SocketPath;
        File.SetUnixFileMode(path, SocketMode);
        var group = api.Value.SocketGroup;
        if (!string.IsNullOrEmpty(group))
        {
            var gid = PosixAccounts.GroupIdOf(group)
                      ?? throw new InvalidOperationException($"ControlApi:SocketGroup = '{group}': no such group.");
            PosixAccounts.ChangeGroup(path, gid);
        }
        log.LogInformation("Control API listening on {Path} (mode 0660{Group}).", path,
            string.IsNullOrEmpty(group) ? "" : ", group " + group);
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        socket.PrepareDirectory();
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
