using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Acquisition.Core.Station;
using Acquisition.Station.Hosting;
using Acquisition.Tests.Shared;

namespace Acquisition.Station.Tests.Calibration;

/// <summary>
/// The calibration, reference-verification and station-identity endpoints over the real control socket of an
/// in-process station on the sim profile (the simulated casing under the camera): streamed and plain answers, the
/// peer user in the records and the audit log, refusals as 422 problems.
/// </summary>
public sealed class CalibrationEndpointTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(3);

    private static HttpClient ClientFor(string socketPath) => ControlSocketClient.Create(socketPath, Guard);

    [Fact]
    public async Task Calibrations_reference_verification_and_key_rotation_work_over_the_socket_and_are_audited_with_the_peer_user()
    {
        using var temp = new TempDirectory();
        var launch = StationLaunch.Parse(
        [
            "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
            $"--Station:DataDirectory={temp.Combine("data")}",
            "--Station:Hardware=sim",
            "--Station:StationId=SIM-CAL",
            "--Web:Port=0",
            // The sim profile's 10 µm pixels see little defocus over the default 80 µm: sweep wider, coarser.
            "--Station:Calibration:Reference:RangeMicrometres=400",
            "--Station:Calibration:Reference:StepMicrometres=20",
        ]);
        await using var app = StationHost.Build(launch);
        Assert.Empty(await StationHost.PrepareAsync(app, CancellationToken.None));
        await app.StartAsync();
        try
        {
            using (var ready = new CancellationTokenSource(Guard))
            {
                await app.Services.GetRequiredService<StationStateMachine>().WaitForAsync(StationState.Ready, ready.Token);
            }
            using var client = ClientFor(temp.Combine("data", "run", "control.sock"));
            var user = Environment.UserName;

            // Over the casing: the sim profile's scene origin and datum focus.
            var move = await client.PostAsJsonAsync("/stage/move", new { xMicrometres = -25000, yMicrometres = -25000, zMicrometres = -10000 });
            Assert.Equal(HttpStatusCode.OK, move.StatusCode);

            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/calibrations/colour", null)).StatusCode);

            // Flat-field on a textured casing, streamed: progress, then an error line with a 422 problem naming the cause.
            using (var request = new HttpRequestMessage(HttpMethod.Post, "/calibrations/flat-field")
            {
                Content = new StringContent("""{ "target": "diffuse", "parameters": { "framesAveraged": 2, "ringOnly": 1 } }""", Encoding.UTF8, "application/json"),
            })
            {
                request.Headers.Accept.ParseAdd("application/x-ndjson");
                using var response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
                var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
                Assert.Equal("progress", lines[0].GetProperty("event").GetString());
                var last = lines[^1];
                Assert.Equal("error", last.GetProperty("event").GetString());
                Assert.Equal(422, last.GetProperty("problem").GetProperty("status").GetInt32());
                Assert.Contains("diffuse target", last.GetProperty("problem").GetProperty("detail").GetString());
            }

            // Pixel size on the casing's texture, plain JSON: a new version over the simulator's seed, by the peer user.
            var calibrate = await client.PostAsJsonAsync("/calibrations/pixel-size", new { target = "dot-grid", parameters = new { framesAveraged = 4, travelMicrometres = 1000 } });
            var calibration = JsonDocument.Parse(await calibrate.Content.ReadAsStringAsync()).RootElement;
            Assert.True(calibrate.StatusCode == HttpStatusCode.OK, calibration.ToString());
            var record = calibration.GetProperty("record");
            Assert.Equal("pixel-size", record.GetProperty("kind").GetString());
            Assert.Equal(user, record.GetProperty("performedBy").GetString());
            Assert.True(record.GetProperty("values").TryGetProperty("pixelSizeXMicrometres", out var px), record.ToString());
            Assert.InRange(px.GetDouble(), 9.8, 10.2);
            var status = JsonDocument.Parse(await client.GetStringAsync("/status")).RootElement;
            var pixel = status.GetProperty("calibrations").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == "pixel-size");
            Assert.Equal(record.GetProperty("id").GetString(), pixel.GetProperty("recordId").GetString());
            Assert.Equal("valid", pixel.GetProperty("status").GetString());

            // Reference verification twice: the first stores the baseline topography, the second is charted against it.
            var firstResponse = await client.PostAsync("/verify/reference", null);
            var first = JsonDocument.Parse(await firstResponse.Content.ReadAsStringAsync()).RootElement;
            Assert.True(firstResponse.StatusCode == HttpStatusCode.OK && first.GetProperty("passed").GetBoolean(), first.ToString());
            var second = JsonDocument.Parse(await (await client.PostAsync("/verify/reference", null)).Content.ReadAsStringAsync()).RootElement;
            Assert.True(second.TryGetProperty("passed", out var secondPassed) && secondPassed.GetBoolean(), second.ToString());
            var accf = second.GetProperty("measures").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "areal cross-correlation");
            Assert.True(accf.GetProperty("value").GetDouble() >= 0.95, accf.ToString());
            var csv = File.ReadAllLines(second.GetProperty("controlChartCsvPath").GetString()!);
            Assert.Equal(3, csv.Length);
            Assert.EndsWith("true,true", csv[1]);
            Assert.EndsWith("true,false", csv[2]);
            var png = await File.ReadAllBytesAsync(second.GetProperty("controlChartPngPath").GetString()!);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);

            // Enrol (the key the packages are signed with) then rotate: the old key stays in the history.
            var enrol = await (await client.PostAsJsonAsync("/station/enrol", new { subject = "CN=SIM-CAL, O=Test Lab, C=US" })).Content.ReadFromJsonAsync<JsonElement>();
            var firstKey = enrol.GetProperty("keyId").GetString()!;
            Assert.StartsWith("sha256:", firstKey);
            Assert.Contains("BEGIN CERTIFICATE REQUEST", enrol.GetProperty("csrPem").GetString());
            var rotate = await (await client.PostAsync("/station/keys/rotate", null)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.NotEqual(firstKey, rotate.GetProperty("keyId").GetString());
            Assert.Contains(firstKey, rotate.GetProperty("previousKeyIds").EnumerateArray().Select(k => k.GetString()));
            var bad = await client.PostAsJsonAsync("/station/enrol", new { subject = "not a name" });
            Assert.Equal(HttpStatusCode.UnprocessableEntity, bad.StatusCode);

            var audit = File.ReadAllLines(temp.Combine("data", "audit", "audit.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            foreach (var action in new[] { "calibration.refused", "calibration.recorded", "reference.verified", "station.enrolled", "station.key-rotated" })
            {
                Assert.Contains(audit, e => e.ToString().Contains($"\"{action}\"") && e.ToString().Contains($"\"{user}\""));
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
