using System.Net.Sockets;
using System.Text.Json;
using Acquisition.Tests.Shared;

namespace Acquisition.Console.Tests;

/// <summary>
/// Issue 8, "a refused capture shows the expired calibration by name": the real daemon with an expired flat-field
/// calibration refuses a capture naming the record, and the real acq status names it too.
/// </summary>
public sealed class ExpiredCalibrationEndToEndTests(ExpiredCalibrationDaemon station) : IClassFixture<ExpiredCalibrationDaemon>
{
    [Fact]
    public async Task A_capture_is_refused_naming_the_expired_calibration_and_acq_status_names_it()
    {
        // The record expires one second after the daemon seeded it; each poll is a whole acq process, no sleeping.
        JsonElement flat = default;
        for (var i = 0; i < 100; i++)
        {
            var poll = await station.AcqAsync("status", "--json");
            flat = poll.Json().GetProperty("calibrations").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "flat-field");
            if (flat.GetProperty("status").GetString() == "expired")
            {
                break;
            }
        }
        Assert.Equal("expired", flat.GetProperty("status").GetString());
        var recordId = flat.GetProperty("recordId").GetString()!;

        var status = await station.AcqAsync("status", "--check");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains(recordId, status.Stdout + status.Stderr);
        Assert.Contains("EXPIRED", status.Stdout + status.Stderr);

        // A casing in the holder (the simulator's bench-control socket), so the capture gets as far as the calibrations.
        using (var bench = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await bench.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(station.DataDirectory, "run", "bench.sock")));
            await using var stream = new NetworkStream(bench, ownsSocket: false);
            await using var writer = new StreamWriter(stream) { AutoFlush = true };
            using var reader = new StreamReader(stream);
            await writer.WriteLineAsync("""{"cmd":"casing","present":true}""");
            var reply = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.Contains("\"ok\":true", reply);
        }
        // The panel reports the casing after its debounce: poll the daemon's view (each poll a whole acq process).
        for (var i = 0; i < 100; i++)
        {
            var panel = (await station.AcqAsync("status", "--json")).Json().GetProperty("panel");
            if (panel.GetProperty("casingPresent").ValueKind == JsonValueKind.True)
            {
                break;
            }
        }

        using var client = ControlSocketClient.Create(station.SocketPath, TimeSpan.FromMinutes(2));
        var capture = await client.PostAsync("/capture", null);
        var body = await capture.Content.ReadAsStringAsync();
        // The sequence answers a refusal as an outcome (status Refused) with the reason.
        Assert.True(capture.StatusCode is System.Net.HttpStatusCode.OK or System.Net.HttpStatusCode.Conflict, body);
        Assert.Contains("Refused", body);
        Assert.True(body.Contains($"FlatField calibration '{recordId}' expired", StringComparison.Ordinal), body);
    }
}
