using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Acquisition.Console.Tests;

/// <summary>
/// The commands that go through the daemon, run as the real acq binary against a stand-in station on a real Unix
/// socket (canned answers). They prove the client side: requests on the wire, rendering, --json and exit codes.
/// </summary>
public sealed class SocketCommandTests : IAsyncLifetime
{
    private readonly TempDir _tmp = new();
    private FakeStation _station = null!;

    public async Task InitializeAsync() => _station = await FakeStation.StartAsync();

    public async Task DisposeAsync()
    {
        await _station.DisposeAsync();
        _tmp.Dispose();
    }

    private Task<AcqResult> Acq(params string[] args) => AcqProcess.RunAsync([.. args, "--socket", _station.SocketPath]);

    private static JsonElement Body(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement.Clone();

    [Fact]
    public async Task Status_json_is_the_station_report_and_the_table_warns_before_expiry()
    {
        _station.OnJson("GET", "/status", CannedResponses.Status);

        var json = await Acq("status", "--json");
        Assert.True(json.ExitCode == 0, json.ToString());
        var doc = json.Json();
        Assert.Equal("ACQ-0042", doc.GetProperty("stationId").GetString());
        Assert.Equal(-250.5, doc.GetProperty("stage").GetProperty("yMicrometres").GetDouble());
        Assert.Equal("z-scale", doc.GetProperty("calibrations")[2].GetProperty("kind").GetString());
        Assert.False(json.Stdout.Contains('\u001b', StringComparison.Ordinal), "ANSI escape in --json output");

        var human = await Acq("status");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains("X=1500 Y=-250.5 Z=12000 µm", human.Stdout);
        Assert.Contains("SimCam small", human.Stdout);
        Assert.Contains("2 pending", human.Stdout);
        // Judged against the station's clock (05:00Z): flat-field has 2 d 4 h left, inside its 7-day warning.
        Assert.Contains("calibration flat-field (flat-field-v7) expires in 2 d 4 h", human.Stderr);
        Assert.Contains("acq calibrate flat-field", human.Stderr);
        Assert.Contains("calibration z (z-scale-v2) expires in 1 h 0 min", human.Stderr);
        Assert.DoesNotContain("pixel-size", human.Stderr);
    }

    [Fact]
    public async Task Status_check_fails_on_an_expired_calibration_and_names_it()
    {
        _station.OnJson("GET", "/status", CannedResponses.Status.Replace("2026-11-23T06:00:00Z", "2026-11-22T06:00:00Z", StringComparison.Ordinal));

        var plain = await Acq("status");
        Assert.Equal(0, plain.ExitCode);
        Assert.Contains("calibration z (z-scale-v2) EXPIRED 23 h 0 min ago", plain.Stderr);
        Assert.Contains("EXPIRED", plain.Stdout);

        var check = await Acq("status", "--check");
        Assert.Equal(1, check.ExitCode);
    }

    [Fact]
    public async Task Status_works_with_the_foundation_hosts_current_answer_and_warns_that_calibration_is_unknown()
    {
        _station.OnJson("GET", "/status", CannedResponses.FoundationStatus);

        var human = await Acq("status");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains("SIM-0001", human.Stdout);
        Assert.Contains("Ready", human.Stdout);
        Assert.Contains("lights", human.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("does not report calibration validity", human.Stderr);

        var json = await Acq("status", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(JsonValueKind.Null, json.Json().GetProperty("calibrations").ValueKind);
    }

    [Fact]
    public async Task Whoami_shows_the_audited_user()
    {
        _station.OnJson("GET", "/whoami", """{"user":"alice","uid":1001,"gid":1001,"pid":4242}""");

        var result = await Acq("whoami");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("alice (uid 1001", result.Stdout);
    }

    [Fact]
    public async Task A_plain_json_error_body_still_reaches_the_engineer()
    {
        _station.On("GET", "/status", async ctx =>
        {
            ctx.Response.StatusCode = 403;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"error":"caller unknown: the control API answers only on its Unix socket"}""");
        });

        var result = await Acq("status");

        Assert.Equal(4, result.ExitCode);
        Assert.Contains("caller unknown", result.Stderr);
    }

    [Fact]
    public async Task Jog_sends_the_axis_and_a_negative_distance_in_micrometres()
    {
        _station.OnJson("POST", "/stage/jog", CannedResponses.Motion);

        var result = await Acq("jog", "z", "-50");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("POST", "/stage/jog"));
        Assert.Equal("z", body.GetProperty("axis").GetString());
        Assert.Equal(-50, body.GetProperty("distanceMicrometres").GetDouble());
        Assert.Contains("Z=11950 µm", result.Stdout);
    }

    [Fact]
    public async Task Move_needs_an_axis_and_sends_only_the_given_ones()
    {
        var none = await Acq("move");
        Assert.Equal(2, none.ExitCode);
        Assert.Empty(_station.Requests);

        _station.OnJson("POST", "/stage/move", CannedResponses.Motion);
        var result = await Acq("move", "--x", "1500", "--z", "11950.5", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("POST", "/stage/move"));
        Assert.Equal(1500, body.GetProperty("xMicrometres").GetDouble());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("yMicrometres").ValueKind);
        Assert.Equal(11950.5, body.GetProperty("zMicrometres").GetDouble());
        Assert.True(result.Json().GetProperty("homed").GetBoolean());
    }

    [Fact]
    public async Task Light_set_parses_segment_ranges_and_percentages()
    {
        _station.OnJson("PUT", "/lights", """{ "segments": [0.4, 0.4, 0.4, 0, 0, 0, 0, 0], "coaxial": 0.1 }""");

        var result = await Acq("light", "set", "0-2", "40%", "--coaxial", "0.1");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("PUT", "/lights"));
        Assert.Equal([0, 1, 2], body.GetProperty("segments").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal(0.4, body.GetProperty("level").GetDouble(), 9);
        Assert.Equal(0.1, body.GetProperty("coaxial").GetDouble(), 9);
        Assert.Contains("ring [0.4, 0.4, 0.4, 0, 0, 0, 0, 0], coaxial 0.1", result.Stdout);

        var bad = await Acq("light", "set", "two", "0.5");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("segment", bad.Stderr);
        var tooBright = await Acq("light", "set", "all", "1.5");
        Assert.Equal(2, tooBright.ExitCode);
        Assert.Single(_station.Requests);
    }

    [Fact]
    public async Task Light_off_sends_all_segments_and_coaxial_to_zero()
    {
        _station.OnJson("PUT", "/lights", """{ "segments": [0, 0, 0, 0, 0, 0, 0, 0], "coaxial": 0 }""");

        var result = await Acq("light", "off", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("PUT", "/lights"));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("segments").ValueKind);
        Assert.Equal(0, body.GetProperty("level").GetDouble());
        Assert.Equal(0, body.GetProperty("coaxial").GetDouble());
    }

    [Fact]
    public async Task Snap_writes_the_png_and_never_overwrites_without_force()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4 };
        _station.On("POST", "/camera/snap", async ctx =>
        {
            ctx.Response.ContentType = "image/png";
            await ctx.Response.Body.WriteAsync(png);
        });
        var file = _tmp.Combine("frame.png");

        var first = await Acq("snap", "--out", file, "--exposure", "8000", "--json");
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal(png, await File.ReadAllBytesAsync(file));
        Assert.Equal(8000, Body(_station.Single("POST", "/camera/snap")).GetProperty("exposureMicroseconds").GetDouble());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(png)), first.Json().GetProperty("sha256").GetString());

        var second = await Acq("snap", "--out", file);
        Assert.Equal(6, second.ExitCode);
        Assert.Contains("--force", second.Stderr);
        Assert.Single(_station.Requests);
    }

    [Fact]
    public async Task Autofocus_follows_the_event_stream_and_draws_the_curve()
    {
        _station.OnEvents("POST", "/autofocus",
            """{"event":"progress","fraction":0.25,"message":"coarse sweep"}""",
            """{"event":"progress","fraction":0.75,"message":"fine sweep"}""",
            """{"event":"result","result":{"peakFound":true,"bestZMicrometres":11990,"curve":[{"zMicrometres":11960,"focus":1.0},{"zMicrometres":11970,"focus":3.0},{"zMicrometres":11980,"focus":7.5},{"zMicrometres":11990,"focus":9.0},{"zMicrometres":12000,"focus":6.0},{"zMicrometres":12010,"focus":2.0}],"message":null,"window":{"xPixels":172,"yPixels":122,"widthPixels":267,"heightPixels":267}}}""");

        var human = await Acq("autofocus", "--range", "60", "--step", "10", "--window", "2670");

        Assert.True(human.ExitCode == 0, human.ToString());
        var request = _station.Single("POST", "/autofocus");
        Assert.StartsWith("application/x-ndjson", request.Accept);
        Assert.Equal(60, Body(request).GetProperty("rangeMicrometres").GetDouble());
        Assert.Equal(2670, Body(request).GetProperty("windowMicrometres").GetDouble());
        Assert.Contains("Scored 267×267 px at (172, 122) of each frame.", human.Stdout);
        Assert.Contains("^ best Z 11990 µm", human.Stdout);
        Assert.Contains("*", human.Stdout);
        Assert.Contains("In focus at Z = 11990 µm", human.Stdout);
        // Redirected output gets one line per progress step instead of a bar.
        Assert.Contains("coarse sweep", human.Stderr);
        Assert.Contains("fine sweep", human.Stderr);

        var json = await Acq("autofocus", "--json");
        Assert.Equal(0, json.ExitCode);
        Assert.Equal(6, json.Json().GetProperty("curve").GetArrayLength());
        Assert.DoesNotContain("sweep", json.Stderr);
    }

    [Fact]
    public async Task Autofocus_lists_the_surfaces_in_focus_when_the_window_holds_more_than_one()
    {
        _station.OnJson("POST", "/autofocus", """{"peakFound":true,"bestZMicrometres":11990,"curve":[{"zMicrometres":11960,"focus":1.0},{"zMicrometres":11990,"focus":9.0},{"zMicrometres":12020,"focus":8.0},{"zMicrometres":12050,"focus":2.0}],"message":"The window holds 2 surfaces","surfaces":[{"zMicrometres":11990,"shareOfWindow":0.58},{"zMicrometres":12030.5,"shareOfWindow":0.36}]}""");

        var result = await Acq("autofocus");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Surfaces in focus: Z = 11990 µm (58% of the window), Z = 12030.5 µm (36% of the window).", result.Stdout);
        Assert.Contains("In focus at Z = 11990 µm", result.Stdout);
        Assert.Contains("The window holds 2 surfaces", result.Stdout); // the station's note, shown with the peak
    }

    [Fact]
    public async Task Autofocus_refuses_a_window_that_is_not_a_positive_size_before_asking_the_station()
    {
        var result = await Acq("autofocus", "--window", "0");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--range, --step and --window must be positive numbers of µm.", result.Stderr);
        Assert.Empty(_station.Requests);
    }

    [Fact]
    public async Task Autofocus_without_a_peak_exits_1()
    {
        _station.OnJson("POST", "/autofocus", """{"peakFound":false,"bestZMicrometres":null,"curve":[{"zMicrometres":0,"focus":1},{"zMicrometres":10,"focus":1.1}],"message":"no peak within ±200 µm"}""");

        var result = await Acq("autofocus");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no peak within ±200 µm", result.Stdout);
    }

    [Fact]
    public async Task Selftest_reports_each_item_and_fails_when_one_fails()
    {
        _station.OnJson("POST", "/selftest", """
            {"passed":false,"items":[
              {"device":"stage","check":"X travel","passed":true,"measured":"50000","expected":"50000 ± 5","unit":"µm","message":null},
              {"device":"ring light","check":"segment 3 brightness","passed":false,"measured":"0.02","expected":"≥ 0.3","unit":"of full scale","message":"segment 3 does not light: check its cable"}]}
            """);

        var human = await Acq("selftest");
        Assert.Equal(1, human.ExitCode);
        Assert.Contains("segment 3 does not light", human.Stdout);
        Assert.Contains("FAIL", human.Stdout);
        Assert.Contains("1 of 2 items", human.Stdout);

        var json = await Acq("selftest", "--json");
        Assert.Equal(1, json.ExitCode);
        Assert.False(json.Json().GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Calibrate_pixel_size_sends_target_and_parameters_and_shows_the_record()
    {
        _station.OnEvents("POST", "/calibrations/pixel-size",
            """{"event":"progress","fraction":0.5,"message":"moving +200 µm in X"}""",
            "{\"event\":\"result\",\"result\":" + CannedResponses.Line(CannedResponses.CalibrationResult) + "}");

        var result = await Acq("calibrate", "pixel-size", "--target", "stage-micrometer", "--pitch", "10", "--travel", "300");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("POST", "/calibrations/pixel-size"));
        Assert.Equal("stage-micrometer", body.GetProperty("target").GetString());
        Assert.Equal(10, body.GetProperty("parameters").GetProperty("pitchMicrometres").GetDouble());
        Assert.Equal(300, body.GetProperty("parameters").GetProperty("travelMicrometres").GetDouble());
        Assert.Contains("Recorded pixel-size-v4 (version 4) by alice", result.Stdout);
        Assert.Contains("2.5031", result.Stdout);
        Assert.Contains("µm/px", result.Stdout);
        Assert.Contains("rmsPixels", result.Stdout);
    }

    [Fact]
    public async Task Calibrate_z_uses_the_z_scale_endpoint()
    {
        _station.OnJson("POST", "/calibrations/z-scale", CannedResponses.CalibrationResult);

        var result = await Acq("calibrate", "z", "--step-height", "50.02", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("POST", "/calibrations/z-scale"));
        Assert.Equal("step-height", body.GetProperty("target").GetString());
        Assert.Equal(50.02, body.GetProperty("parameters").GetProperty("stepHeightMicrometres").GetDouble());
        Assert.Equal("pixel-size-v4", result.Json().GetProperty("record").GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_refused_calibration_exits_4_with_the_station_reason()
    {
        _station.OnProblem("POST", "/calibrations/flat-field", 422, "Target unusable",
            "The diffuse target is saturated under lighting ring-0: 4.2 % of pixels at full scale (limit 0.5 %). Lower the exposure or the light level.");

        var human = await Acq("calibrate", "flat-field");
        Assert.Equal(4, human.ExitCode);
        Assert.Contains("saturated under lighting ring-0", human.Stderr);

        var json = await Acq("calibrate", "flat-field", "--json");
        Assert.Equal(4, json.ExitCode);
        var error = json.Json().GetProperty("error");
        Assert.Equal("refused", error.GetProperty("kind").GetString());
        Assert.Equal(422, error.GetProperty("problem").GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task An_error_event_mid_stream_and_a_stream_cut_short_are_reported()
    {
        _station.OnEvents("POST", "/calibrations/lights",
            """{"event":"progress","fraction":0.1,"message":"segment 0"}""",
            """{"event":"error","problem":{"type":null,"title":"Hardware fault","status":500,"detail":"Camera stopped delivering frames (timeout 2 s)."}}""");
        var fault = await Acq("calibrate", "lights", "--level", "60%");
        Assert.Equal(5, fault.ExitCode);
        Assert.Contains("Camera stopped delivering frames", fault.Stderr);
        Assert.Equal(0.6, Body(_station.Single("POST", "/calibrations/lights")).GetProperty("parameters").GetProperty("targetLevel").GetDouble(), 9);

        _station.OnEvents("POST", "/selftest", """{"event":"progress","fraction":0.1,"message":"stage"}""");
        var cut = await Acq("selftest");
        Assert.Equal(5, cut.ExitCode);
        Assert.Contains("before sending a result", cut.Stderr);
    }

    [Fact]
    public async Task Verify_reference_fails_against_its_limits()
    {
        _station.OnJson("POST", "/verify/reference", """
            {"passed":false,"recordId":"reference-v12","performedAt":"2026-11-23T05:20:00Z",
             "measures":[{"name":"areal cross-correlation","value":0.91,"unit":"","lowerLimit":0.95,"upperLimit":null,"passed":false},
                         {"name":"Sq difference","value":0.08,"unit":"µm","lowerLimit":null,"upperLimit":0.2,"passed":true}],
             "controlChartCsvPath":"/var/lib/acquisition-station/calibration/reference/control-chart.csv",
             "controlChartPngPath":"/var/lib/acquisition-station/calibration/reference/control-chart.png"}
            """);

        var result = await Acq("verify", "reference");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Reference verification FAILED", result.Stdout);
        Assert.Contains("≥ 0.95", result.Stdout);
        Assert.Contains("control-chart.png", result.Stdout);
    }

    [Fact]
    public async Task Case_set_changes_only_the_given_fields_and_flags()
    {
        _station.OnJson("GET", "/case", CannedResponses.Case);
        _station.On("PUT", "/case", async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            // Echo what was stored; the recorder already read the body, so answer from the record.
            await ctx.Response.WriteAsync(_station.Requests.Last().Body);
        });

        var result = await Acq("case", "set", "--item", "2", "--customs", "--near-border", "false", "--recovery-location", "none", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var body = Body(_station.Single("PUT", "/case"));
        Assert.Equal("TX2270000", body.GetProperty("agency").GetString());
        Assert.Equal("2", body.GetProperty("item").GetString());
        Assert.Equal("2026-11-20", body.GetProperty("recoveryDate").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("recoveryLocation").ValueKind);
        var flags = body.GetProperty("searchProtocol");
        Assert.True(flags.GetProperty("recoveredByCustomsOrBorder").GetBoolean());
        Assert.False(flags.GetProperty("recoveredNearBorder").GetBoolean());
        Assert.False(flags.GetProperty("terrorismRelated").GetBoolean());
        Assert.Equal("2", result.Json().GetProperty("item").GetString());
    }

    [Fact]
    public async Task Case_set_without_a_current_case_requires_every_field_and_shows_station_validation()
    {
        _station.OnProblem("GET", "/case", 404, "No case", "No case is set.");
        var missing = await Acq("case", "set", "--agency", "TX2270000");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("--case-number", missing.Stderr);
        Assert.Contains("--operator", missing.Stderr);
        Assert.DoesNotContain(_station.Requests, r => r.Method == "PUT");

        _station.OnProblem("PUT", "/case", 422, "Invalid case", "The case has invalid fields.", """{"calibre":["'9mm Lugr' is not in the calibre table. Did you mean '9mm Luger'?"]}""");
        var invalid = await Acq("case", "set", "--agency", "TX2270000", "--case-number", "1", "--exhibit", "1", "--item", "1",
            "--calibre", "9mm Lugr", "--operator", "alice", "--recovery-date", "2026-11-20");
        Assert.Equal(4, invalid.ExitCode);
        Assert.Contains("calibre: '9mm Lugr' is not in the calibre table", invalid.Stderr);

        var badDate = await Acq("case", "set", "--replace", "--agency", "A", "--case-number", "1", "--exhibit", "1", "--item", "1",
            "--calibre", "9mm Luger", "--operator", "alice", "--recovery-date", "20/11/2026");
        Assert.Equal(2, badDate.ExitCode);
        Assert.Contains("yyyy-MM-dd", badDate.Stderr);
    }

    [Fact]
    public async Task Hold_set_and_release_send_the_reason_and_check_the_capture_id()
    {
        const string id = "01JD3Q4V6Z8KXW3N9M2T5R7B1C";
        var hold = $$"""{"captureId":"{{id}}","reason":"Court order 2026-77","setBy":"alice","setAt":"2026-11-23T05:30:00Z"}""";
        _station.OnJson("PUT", "/holds/" + id, hold);
        _station.OnJson("DELETE", "/holds/" + id, hold);

        var set = await Acq("hold", "set", id.ToLowerInvariant(), "--reason", "Court order 2026-77");
        Assert.True(set.ExitCode == 0, set.ToString());
        Assert.Equal("Court order 2026-77", Body(_station.Single("PUT", "/holds/" + id)).GetProperty("reason").GetString());
        Assert.Contains("under legal hold", set.Stdout);

        var release = await Acq("hold", "release", id, "--reason", "Order lifted", "--json");
        Assert.True(release.ExitCode == 0, release.ToString());
        Assert.Equal("Order lifted", Body(_station.Single("DELETE", "/holds/" + id)).GetProperty("reason").GetString());

        var bad = await Acq("hold", "set", "capture-7", "--reason", "x");
        Assert.Equal(2, bad.ExitCode);
        var noReason = await Acq("hold", "set", id);
        Assert.Equal(2, noReason.ExitCode);
    }

    private const string OutboxEntry = """
        {"captureId":"01JD3Q4V6Z8KXW3N9M2T5R7B1C","enqueuedAt":"2026-11-23T03:30:00Z","onHold":false,"sizeBytes":52428800,
         "destinations":[
           {"destination":"national","state":"uploading","reason":null,"serverError":null,"attempts":1,"nextAttemptAt":null,"deliveredAt":null,
            "ociManifestDigest":"sha256:5d1e","verifiedDigest":null,"bytesConfirmed":26214400,"bytesTotal":52428800},
           {"destination":"interpol","state":"rejected","reason":"413 Payload Too Large","serverError":"{\"errors\":[{\"code\":\"SIZE_INVALID\"}]}",
            "attempts":3,"nextAttemptAt":null,"deliveredAt":null,"ociManifestDigest":"sha256:5d1e","verifiedDigest":null,"bytesConfirmed":null,"bytesTotal":null}]}
        """;

    [Fact]
    public async Task Outbox_list_show_and_retry()
    {
        _station.OnJson("GET", "/outbox?state=rejected", "[" + OutboxEntry + "]");
        _station.OnJson("GET", "/outbox/01JD3Q4V6Z8KXW3N9M2T5R7B1C", OutboxEntry);
        _station.OnJson("POST", "/outbox/01JD3Q4V6Z8KXW3N9M2T5R7B1C/retry", OutboxEntry.Replace("\"rejected\"", "\"pending\"", StringComparison.Ordinal));

        var list = await Acq("outbox", "list", "--state", "rejected");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains("25.0 MiB / 50.0 MiB (50%)", list.Stdout);
        Assert.Contains("rejected", list.Stdout);

        var show = await Acq("outbox", "show", "01JD3Q4V6Z8KXW3N9M2T5R7B1C");
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Contains("SIZE_INVALID", show.Stdout);

        var retry = await Acq("outbox", "retry", "01JD3Q4V6Z8KXW3N9M2T5R7B1C", "--json");
        Assert.True(retry.ExitCode == 0, retry.ToString());
        Assert.Equal("pending", retry.Json().GetProperty("destinations")[1].GetProperty("state").GetString());
        Assert.Single(_station.Requests, r => r.Path.EndsWith("/retry", StringComparison.Ordinal));

        _station.OnProblem("POST", "/outbox/01JD3Q4V6Z8KXW3N9M2T5R7B1C/retry", 409, "Not rejected", "Capture 01JD3Q4V6Z8KXW3N9M2T5R7B1C is not rejected at any destination.");
        var conflict = await Acq("outbox", "retry", "01JD3Q4V6Z8KXW3N9M2T5R7B1C");
        Assert.Equal(4, conflict.ExitCode);
        Assert.Contains("not rejected at any destination", conflict.Stderr);
    }

    [Fact]
    public async Task Config_show_prints_the_effective_configuration()
    {
        _station.OnJson("GET", "/config", """{"Station":{"StationId":"ACQ-0042"},"Uplink":{"Destinations":[{"Name":"national","Password":"***"}]}}""");

        var human = await Acq("config", "show");
        Assert.True(human.ExitCode == 0, human.ToString());
        Assert.Contains("\"StationId\": \"ACQ-0042\"", human.Stdout);

        var json = await Acq("config", "show", "--json");
        Assert.Equal("ACQ-0042", json.Json().GetProperty("Station").GetProperty("StationId").GetString());
    }

    [Fact]
    public async Task Home_accepts_a_plain_json_answer_and_enrol_goes_through_the_station()
    {
        _station.OnJson("POST", "/stage/home", CannedResponses.Motion);
        var home = await Acq("home");
        Assert.True(home.ExitCode == 0, home.ToString());
        Assert.Contains("Homed", home.Stdout);

        _station.OnJson("POST", "/station/enrol", """{"keyId":"sha256:aaaa","publicKeyPem":"-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n","created":false,"csrPem":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n","previousKeyIds":["sha256:bbbb"]}""");
        var outDir = _tmp.Combine("export");
        var enrol = await Acq("enrol", "--subject", "CN=ACQ-0042", "--out", outDir);
        Assert.True(enrol.ExitCode == 0, enrol.ToString());
        Assert.Equal("CN=ACQ-0042", Body(_station.Single("POST", "/station/enrol")).GetProperty("subject").GetString());
        Assert.Contains("sha256:aaaa", enrol.Stdout);
        Assert.Contains("sha256:bbbb", enrol.Stdout);
        Assert.Contains("BEGIN CERTIFICATE REQUEST", await File.ReadAllTextAsync(Path.Combine(outDir, "station.csr.pem")));

        _station.OnProblem("POST", "/station/keys/rotate", 403, "Forbidden", "User 'tech1' may not rotate keys: only members of 'acquisition-service' may.");
        var rotate = await Acq("key", "rotate", "--json");
        Assert.Equal(4, rotate.ExitCode);
        Assert.Contains("acquisition-service", rotate.Json().GetProperty("error").GetProperty("message").GetString());
    }

    [Fact]
    public async Task Station_failures_and_unreadable_answers_exit_5_and_unknown_endpoints_4()
    {
        _station.OnProblem("POST", "/stage/jog", 500, "Hardware fault", "GRBL alarm 1: hard limit triggered on X. Home the stage.");
        var fault = await Acq("jog", "x", "100");
        Assert.Equal(5, fault.ExitCode);
        Assert.Contains("GRBL alarm 1", fault.Stderr);

        _station.OnJson("GET", "/status", "{ this is not json");
        var garbage = await Acq("status", "--json");
        Assert.Equal(5, garbage.ExitCode);
        Assert.Equal("station-failed", garbage.Json().GetProperty("error").GetProperty("kind").GetString());

        var unknown = await Acq("hold", "list");
        Assert.Equal(4, unknown.ExitCode);
        Assert.Contains("does not offer /holds", unknown.Stderr);
    }
}
