using System.Text.Json;

namespace Acquisition.Console.Tests;

/// <summary>The real acq binary against the real station daemon over its Unix socket: no stand-ins between them.</summary>
public sealed class DaemonEndToEndTests(StationDaemon station) : IClassFixture<StationDaemon>
{
    [Fact]
    public async Task Status_reports_the_daemon_state_stage_lights_and_every_calibration_kind()
    {
        var result = await station.AcqAsync("status", "--json");
        Assert.True(result.ExitCode is 0 or 1, result.ToString());
        var status = result.Json();
        Assert.Equal("SIM-E2E", status.GetProperty("stationId").GetString());
        Assert.Equal("Ready", status.GetProperty("state").GetString());
        Assert.Equal(8, status.GetProperty("lights").GetProperty("segments").GetArrayLength());
        var kinds = status.GetProperty("calibrations").EnumerateArray().Select(c => c.GetProperty("kind").GetString()).ToList();
        Assert.Equal(["pixel-size", "flat-field", "z-scale", "lights", "reference"], kinds);
        Assert.True(status.TryGetProperty("at", out var at) && at.ValueKind == JsonValueKind.String);
        Assert.Equal(0, status.GetProperty("outbox").GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task Outbox_list_is_empty_and_show_of_an_unknown_capture_is_refused_with_exit_4()
    {
        var list = await station.AcqAsync("outbox", "list", "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal(JsonValueKind.Array, list.Json().ValueKind);
        Assert.Equal(0, list.Json().GetArrayLength());
        var show = await station.AcqAsync("outbox", "show", "01JD3Q4V6Z8KXW3N9M2T5R7B1D");
        Assert.Equal(4, show.ExitCode);
        Assert.Contains("not in the outbox", show.Stdout + show.Stderr);
    }

    [Fact]
    public async Task Home_then_jog_z_moves_the_stage_and_the_audit_log_names_the_socket_peer()
    {
        var home = await station.AcqAsync("home", "--json");
        Assert.True(home.ExitCode == 0, home.ToString());
        Assert.True(home.Json().GetProperty("homed").GetBoolean());
        var z0 = (await station.AcqAsync("status", "--json")).Json().GetProperty("stage").GetProperty("zMicrometres").GetDouble();

        // GRBL machine coordinates: home is the top of travel, so go down first, then jog z 10 up.
        var down = await station.AcqAsync("jog", "--json", "z", "--", "-20");
        Assert.True(down.ExitCode == 0, down.ToString());
        var jog = await station.AcqAsync("jog", "z", "10", "--json");
        Assert.True(jog.ExitCode == 0, jog.ToString());
        Assert.Equal(z0 - 10, jog.Json().GetProperty("zMicrometres").GetDouble(), 6);

        var whoami = (await station.AcqAsync("whoami", "--json")).Json().GetProperty("user").GetString();
        Assert.Equal(Environment.UserName, whoami);
        var audit = await AcqProcess.RunAsync("audit", "show", "--data", station.DataDirectory, "--action", "stage.jog", "--json");
        Assert.True(audit.ExitCode == 0, audit.ToString());
        var text = audit.Stdout;
        Assert.Contains("stage.jog", text);
        Assert.Contains($"\"{whoami}\"", text);
        var verify = await AcqProcess.RunAsync("audit", "verify", "--data", station.DataDirectory, "--json");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task Jog_beyond_the_soft_limit_is_refused_with_exit_4_and_names_the_limit()
    {
        Assert.Equal(0, (await station.AcqAsync("home", "--json")).ExitCode);
        var jog = await station.AcqAsync("jog", "x", "--", "-99999999");
        Assert.Equal(4, jog.ExitCode);
        Assert.Contains("soft limits", jog.Stdout + jog.Stderr);
    }

    [Fact]
    public async Task Light_set_switches_the_given_segments_and_is_audited()
    {
        var set = await station.AcqAsync("light", "set", "0,2", "40%", "--json");
        Assert.True(set.ExitCode == 0, set.ToString());
        var segments = set.Json().GetProperty("segments").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.Equal([0.4, 0, 0.4, 0, 0, 0, 0, 0], segments);
        var bad = await station.AcqAsync("light", "set", "9", "0.5");
        Assert.Equal(4, bad.ExitCode);
        var audit = await AcqProcess.RunAsync("audit", "show", "--data", station.DataDirectory, "--action", "lights.set", "--json");
        Assert.Contains("lights.set", audit.Stdout);
    }

    [Fact]
    public async Task Config_show_answers_the_merged_configuration()
    {
        var config = await station.AcqAsync("config", "show", "--json");
        Assert.True(config.ExitCode == 0, config.ToString());
        Assert.Equal("SIM-E2E", config.Json().GetProperty("Station").GetProperty("StationId").GetString());
    }

    [Fact]
    public async Task Case_set_then_show_round_trips_through_the_workflows_case_store()
    {
        var set = await station.AcqAsync("case", "set", "--replace", "--agency", "TX2270000", "--case-number", "2026-0815", "--exhibit", "3",
            "--item", "1", "--calibre", "9mm Luger", "--operator", "alice", "--json");
        Assert.True(set.ExitCode == 0, set.ToString());
        var show = await station.AcqAsync("case", "show", "--json");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("2026-0815", show.Stdout);
        Assert.Contains("TX2270000", show.Stdout);
    }

    [Fact]
    public async Task Hold_set_list_release_goes_through_the_uplink_outbox_and_is_audited_with_the_peer_user()
    {
        const string capture = "01JD3Q4V6Z8KXW3N9M2T5R7B1C";
        var set = await station.AcqAsync("hold", "set", capture, "--reason", "Court order 2026-77", "--json");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal(Environment.UserName, set.Json().GetProperty("setBy").GetString());
        var list = await station.AcqAsync("hold", "list", "--json");
        Assert.Contains(capture, list.Stdout);

        var release = await station.AcqAsync("hold", "release", capture, "--reason", "Order lifted", "--json");
        Assert.True(release.ExitCode == 0, release.ToString());
        var again = await station.AcqAsync("hold", "release", capture, "--reason", "Order lifted");
        Assert.Equal(4, again.ExitCode);
        Assert.DoesNotContain(capture, (await station.AcqAsync("hold", "list", "--json")).Stdout);

        var audit = await AcqProcess.RunAsync("audit", "show", "--data", station.DataDirectory, "--action", "hold.", "--json");
        Assert.Contains("hold.set", audit.Stdout);
        Assert.Contains("hold.released", audit.Stdout);
    }
}
