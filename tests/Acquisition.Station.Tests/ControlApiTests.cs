using System.Net.Http.Json;
using System.Text.Json;
using Acquisition.Core.Station;
using Acquisition.Station.Hosting;
using Acquisition.Tests.Shared;

namespace Acquisition.Station.Tests;

/// <summary>The control API over its real Unix socket, in an in-process host on the fake profile.</summary>
public sealed class ControlApiTests
{
    private static HttpClient ClientFor(string socketPath) => ControlSocketClient.Create(socketPath, StationProcess.Guard);

    private static async Task<WebApplication> StartStationAsync(TempDirectory temp, string hardware = "fake", params string[] extra)
    {
        var launch = StationLaunch.Parse(
        [
            "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
            $"--Station:DataDirectory={temp.Combine("data")}",
            $"--Station:Hardware={hardware}",
            "--Station:StationId=SIM-API",
            .. extra,
        ]);
        var app = StationHost.Build(launch);
        Assert.Empty(await StationHost.PrepareAsync(app, CancellationToken.None));
        await app.StartAsync();
        using var cts = new CancellationTokenSource(StationProcess.Guard);
        await app.Services.GetRequiredService<StationStateMachine>().WaitForAsync(StationState.Ready, cts.Token);
        return app;
    }

    [Fact]
    public async Task Get_status_over_the_socket_reports_state_stage_lights_door_and_identity()
    {
        using var temp = new TempDirectory();
        await using var app = await StartStationAsync(temp);
        try
        {
            var socketPath = temp.Combine("data", "run", "control.sock");
            using var client = ClientFor(socketPath);

            using var doc = JsonDocument.Parse(await client.GetStringAsync("/status"));
            var status = doc.RootElement;

            Assert.Equal("SIM-API", status.GetProperty("stationId").GetString());
            Assert.Equal("Ready", status.GetProperty("state").GetString());
            Assert.StartsWith("stage homed", status.GetProperty("reason").GetString());
            Assert.True(status.GetProperty("stage").GetProperty("homed").GetBoolean());
            Assert.Equal("Idle", status.GetProperty("stage").GetProperty("state").GetString());
            Assert.True(status.GetProperty("lights").GetProperty("allOff").GetBoolean());
            Assert.Equal(8, status.GetProperty("lights").GetProperty("segments").GetArrayLength());
            Assert.Equal("closed", status.GetProperty("panel").GetProperty("door").GetString());
            Assert.Equal("Ready", status.GetProperty("panel").GetProperty("indicator").GetString());
            Assert.StartsWith("0.1.0", status.GetProperty("softwareVersion").GetString());
            Assert.True(status.GetProperty("uptimeSeconds").GetDouble() >= 0);

            Assert.Equal(ControlApi.ControlSocketPermissions.SocketMode, File.GetUnixFileMode(socketPath));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task On_the_sim_profile_status_comes_from_the_drivers_over_the_simulated_devices()
    {
        using var temp = new TempDirectory();
        await using var app = await StartStationAsync(temp, "sim", "--Web:Port=0"); // 8443 is shared with the parallel sim-profile process tests
        try
        {
            using var client = ClientFor(temp.Combine("data", "run", "control.sock"));

            using var doc = JsonDocument.Parse(await client.GetStringAsync("/status"));
            var status = doc.RootElement;

            Assert.Equal("Ready", status.GetProperty("state").GetString());
            var stage = status.GetProperty("stage");
            Assert.True(stage.GetProperty("homed").GetBoolean());
            Assert.Equal("Idle", stage.GetProperty("state").GetString());
            // GRBL's convention: homed at the positive switches, machine coordinates negative from there (pull-off).
            Assert.True(stage.GetProperty("zMicrometres").GetDouble() < 0);
            Assert.True(status.GetProperty("lights").GetProperty("allOff").GetBoolean());
            Assert.Equal("closed", status.GetProperty("panel").GetProperty("door").GetString());
            Assert.True(status.GetProperty("panel").GetProperty("motorsEnabled").GetBoolean());
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task The_peer_user_is_the_name_of_the_callers_uid()
    {
        using var temp = new TempDirectory();
        await using var app = await StartStationAsync(temp);
        try
        {
            using var client = ClientFor(temp.Combine("data", "run", "control.sock"));

            var caller = await client.GetFromJsonAsync<ControlApi.CallerResponse>("/whoami");

            Assert.NotNull(caller);
            var uid = PosixAccounts.EffectiveUserId();
            Assert.Equal(uid, caller.Uid);
            Assert.Equal(Environment.ProcessId, caller.Pid);
            Assert.Equal(Environment.UserName, caller.User);
            Assert.Equal(PosixAccounts.UserNameOf(uid), caller.User);
        }
        finally
        {
            await app.StopAsync();
        }
    }

    private static string Run(string file, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        using var p = System.Diagnostics.Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }

    [Fact]
    public async Task The_socket_is_given_to_the_configured_group()
    {
        // Root may give the socket to any group, so pick one the file would not get by default; an ordinary
        // user can only use its own groups, and its primary group is the one it certainly has.
        var group = PosixAccounts.EffectiveUserId() == 0 && PosixAccounts.GroupIdOf("daemon") is not null ? "daemon" : Run("id", "-gn");
        var gid = PosixAccounts.GroupIdOf(group)!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var temp = new TempDirectory();
        await using var app = await StartStationAsync(temp, "fake", $"--ControlApi:SocketGroup={group}");
        try
        {
            var socketPath = temp.Combine("data", "run", "control.sock");
            Assert.Equal(gid, Run("stat", "-c", "%g", socketPath));
            Assert.Equal(ControlApi.ControlSocketPermissions.SocketMode, File.GetUnixFileMode(socketPath));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task A_second_daemon_refuses_to_take_over_a_live_socket()
    {
        using var temp = new TempDirectory();
        await using var app = await StartStationAsync(temp);
        try
        {
            var second = StationHost.Build(StationLaunch.Parse(
            [
                "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
                $"--Station:DataDirectory={temp.Combine("data")}",
                "--Station:Hardware=fake",
            ]));
            await using (second)
            {
                var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());
                Assert.Contains("Another station daemon is already listening", ex.Message);
            }
            // The first one still answers.
            using var client = ClientFor(temp.Combine("data", "run", "control.sock"));
            Assert.Contains("\"Ready\"", await client.GetStringAsync("/status"));
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
