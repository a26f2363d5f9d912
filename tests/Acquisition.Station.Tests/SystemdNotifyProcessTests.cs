using System.Net.Sockets;
using System.Text;

namespace Acquisition.Station.Tests;

/// <summary>
/// The real binary under a stand-in for systemd: the test owns $NOTIFY_SOCKET (a datagram socket, as systemd's is)
/// and checks the messages a Type=notify unit with WatchdogSec must send.
/// </summary>
public sealed class SystemdNotifyProcessTests
{
    [Fact]
    public async Task Under_systemd_it_reports_ready_pings_the_watchdog_and_reports_stopping()
    {
        using var temp = new TempDirectory();
        var notifyPath = temp.Combine("notify");
        using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));

        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json")],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Hardware"] = "fake",
                ["INVOCATION_ID"] = "0123456789abcdef0123456789abcdef", // what makes .NET see a systemd unit
                ["NOTIFY_SOCKET"] = notifyPath,
                ["WATCHDOG_USEC"] = "400000",
            });

        var messages = new List<string>();
        using var guard = new CancellationTokenSource(StationProcess.Guard);
        var buffer = new byte[4096];
        while (!messages.Contains("WATCHDOG=1"))
        {
            var n = await notify.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
            messages.Add(Encoding.UTF8.GetString(buffer, 0, n).Trim());
        }
        Assert.Contains("READY=1", messages);
        Assert.True(messages.IndexOf("READY=1") < messages.IndexOf("WATCHDOG=1"));

        station.Terminate();
        while (!messages.Contains("STOPPING=1"))
        {
            var n = await notify.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
            messages.Add(Encoding.UTF8.GetString(buffer, 0, n).Trim());
        }
        Assert.Equal(0, await station.WaitForExitAsync(StationProcess.Guard));
        // journald format: a syslog priority prefix instead of a timestamp ("<6>" = info).
        Assert.Contains(station.StandardOutput.Split('\n'), l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains("Ready: stage homed"));
    }
}
