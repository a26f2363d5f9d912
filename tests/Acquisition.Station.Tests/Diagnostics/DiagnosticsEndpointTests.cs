using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Domain;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.Workflow.Calibration;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>
/// POST /camera/snap, /autofocus and /selftest over the real control socket of a sim-profile station: the PNG is the
/// camera's frame, autofocus finds the simulator's true focus, the self-test reports every device and fails the
/// camera when the simulated camera stops delivering.
/// </summary>
public sealed class DiagnosticsEndpointTests(SimStation station, ITestOutputHelper output) : IClassFixture<SimStation>
{
    [Fact]
    public async Task Snap_answers_a_PNG_of_the_cameras_size_and_depth_and_audits_its_hash()
    {
        using var client = station.CreateClient();
        var camera = station.Get<ICamera>();
        var settings = camera.Settings;

        using var response = await client.PostAsync(ControlApiRoutes.CameraSnap, JsonContent.Create(new SnapRequest(ExposureMicroseconds: 4000), options: ControlApiJson.Options));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync();

        using var decoded = Cv2.ImDecode(png, ImreadModes.Unchanged);
        Assert.Equal((settings.Width, settings.Height), (decoded.Width, decoded.Height));
        Assert.Equal(settings.Format == PixelFormat.Mono8 ? MatType.CV_8UC1 : MatType.CV_16UC1, decoded.Type());
        Assert.Equal(settings, camera.Settings); // the snapshot's exposure did not stick

        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        var audit = await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"));
        var entry = audit.Select(l => JsonDocument.Parse(l).RootElement).Last(e => e.GetProperty("action").GetString() == "camera.snap");
        Assert.Equal(sha, entry.GetProperty("details").GetProperty("sha256").GetString());
        Assert.Equal(4000, entry.GetProperty("details").GetProperty("exposureMicroseconds").GetDouble());
        Assert.Equal(Environment.UserName, entry.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Autofocus_streams_its_progress_and_leaves_the_stage_at_the_simulators_true_focus()
    {
        var (stage, light, sim) = await OverThePrimerAboveFocusAsync();

        using var client = station.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, ControlApiRoutes.Autofocus)
        {
            Content = JsonContent.Create(new AutofocusRequest(RangeMicrometres: 400, StepMicrometres: 20), options: ControlApiJson.Options),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ControlApiJson.EventStreamMediaType));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ControlApiJson.EventStreamMediaType, response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonSerializer.Deserialize<OperationEvent>(l, ControlApiJson.Options)!).ToList();

        Assert.All(lines[..^1], e => Assert.Equal(OperationEvent.Progress, e.Event));
        Assert.True(lines.Count >= 22, $"{lines.Count} lines"); // one per sample (21) and the result
        Assert.Equal(OperationEvent.ResultEvent, lines[^1].Event);
        var result = lines[^1].Result!.Value.Deserialize<AutofocusResult>(ControlApiJson.Options)!;
        foreach (var s in result.Curve)
        {
            output.WriteLine($"{s.ZMicrometres:0.0} {s.Focus:G5}");
        }

        // The truth: the stage Z at which each surface the camera sees is in focus. The field holds two surfaces about
        // 40 µm apart (the primer and the head face around it), closer than the focus curve is wide, so one score over
        // the view peaks between them; the sweep must find each of them from its tiles and stay on one, not between
        // them or beside both (a stale frame or a wrong Z would).
        var position = (await stage.QueryStatusAsync(CancellationToken.None)).Position;
        var w = sim.Options.Width;
        var h = sim.Options.Height;
        using var truth = sim.GroundTruth(position, light.Current, new Rect(w / 20, h / 20, w * 9 / 10, h * 9 / 10));
        truth.HeightMicrometres.GetArray(out float[] heights);
        var surfaces = SurfaceHeights(heights, binMicrometres: 5, minimumSeparationMicrometres: 20, minimumShare: 0.1)
            .Select(height => sim.Options.ZAtDatumFocusMicrometres + height).ToList();
        output.WriteLine($"best {result.BestZMicrometres}, surfaces in focus at {string.Join(", ", surfaces.Select(z => z.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}, {result.Message}");

        Assert.True(result.PeakFound, result.Message);
        Assert.Equal(21, result.Curve.Count);
        Assert.NotEmpty(surfaces);
        var bestZ = Assert.NotNull(result.BestZMicrometres);
        // Every surface the camera sees is reported, each within the few µm a parabola through 20 µm samples is off,
        // none a blend between two, and the stage stays on the one covering most of the view.
        var reported = Assert.IsAssignableFrom<IReadOnlyList<FocusSurface>>(result.Surfaces);
        Assert.Equal(surfaces.Count, reported.Count);
        Assert.All(reported, f => Assert.Contains(surfaces, z => Math.Abs(f.ZMicrometres - z) <= 8));
        Assert.Equal(bestZ, reported[0].ZMicrometres);
        Assert.True(reported[0].ShareOfWindow >= reported[^1].ShareOfWindow);
        Assert.Contains(surfaces, z => Math.Abs(bestZ - z) <= 8);
        Assert.InRange(position.Z.Value, bestZ - 1, bestZ + 1); // left at the best focus
    }

    [Fact]
    public async Task Autofocus_with_a_window_on_the_primer_focuses_on_the_primer_not_the_head_face()
    {
        // The same start as above; this time the engineer scores only a centred square of 0.6 × the primer diameter,
        // as a capture does once it has centred the primer.
        var (stage, light, sim) = await OverThePrimerAboveFocusAsync();
        var windowMicrometres = 0.6 * CasingGeometry.NineMmLuger.PrimerDiameterMicrometres;

        using var client = station.CreateClient();
        using var response = await client.PostAsync(ControlApiRoutes.Autofocus,
            JsonContent.Create(new AutofocusRequest(RangeMicrometres: 400, StepMicrometres: 20, WindowMicrometres: windowMicrometres), options: ControlApiJson.Options));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<AutofocusResult>(ControlApiJson.Options))!;

        // The window is the square in pixels of the seeded pixel-size calibration, centred on the frame.
        var pixelMicrometres = PixelSizeOfTheSeededCalibration();
        var side = (int)Math.Round(windowMicrometres / pixelMicrometres);
        var w = sim.Options.Width;
        var h = sim.Options.Height;
        Assert.Equal(new ScoredWindow((w - side) / 2, (h - side) / 2, side, side), result.Window);

        // The truth inside that window: one surface holds most of it, the primer (the head face lies 40 µm above it,
        // outside the window). The sweep must land on it.
        var window = result.Window!;
        var position = (await stage.QueryStatusAsync(CancellationToken.None)).Position;
        using var truth = sim.GroundTruth(position, light.Current, new Rect(window.XPixels, window.YPixels, window.WidthPixels, window.HeightPixels));
        truth.HeightMicrometres.GetArray(out float[] heights);
        var primer = Assert.Single(SurfaceHeights(heights, binMicrometres: 5, minimumSeparationMicrometres: 20, minimumShare: 0.5));
        var primerZ = sim.Options.ZAtDatumFocusMicrometres + primer;
        output.WriteLine($"best {result.BestZMicrometres}, primer in focus at {primerZ:0.0}, window {window}");
        Assert.True(result.PeakFound, result.Message);
        Assert.InRange(Assert.NotNull(result.BestZMicrometres), primerZ - 8, primerZ + 8);
        // The primer covers most of the window; the firing-pin impression in its middle may show as a deeper second surface.
        Assert.Equal(primerZ, result.Surfaces![0].ZMicrometres, 8.0);

        var audit = await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"));
        var details = audit.Select(l => JsonDocument.Parse(l).RootElement).Last(e => e.GetProperty("action").GetString() == "stage.autofocus").GetProperty("details");
        Assert.Equal(windowMicrometres, details.GetProperty("windowMicrometres").GetDouble(), 6);
        Assert.Equal(side, details.GetProperty("windowPixels").GetProperty("width").GetInt32());
    }

    [Fact]
    public async Task Autofocus_refuses_a_window_too_small_to_score_before_moving()
    {
        var stage = station.Get<IStage>();
        var before = (await stage.QueryStatusAsync(CancellationToken.None)).Position;
        using var client = station.CreateClient();
        using var response = await client.PostAsync(ControlApiRoutes.Autofocus,
            JsonContent.Create(new AutofocusRequest(WindowMicrometres: 3 * PixelSizeOfTheSeededCalibration()), options: ControlApiJson.Options));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("3×3 px of this camera", body, StringComparison.Ordinal);
        Assert.Contains("at least 8×8 px", body, StringComparison.Ordinal);
        Assert.Equal(before, (await stage.QueryStatusAsync(CancellationToken.None)).Position);
    }

    /// <summary>Over the primer (the scene origin), 60 µm above the focus of the head face, ring lit.</summary>
    private async Task<(IStage Stage, IRingLight Light, SimulatedCamera Sim)> OverThePrimerAboveFocusAsync()
    {
        var stage = station.Get<IStage>();
        var light = station.Get<IRingLight>();
        var sim = station.Get<SimulatedCamera>();
        var start = StagePosition.FromMicrometres(sim.Options.SceneOriginXMachineMicrometres, sim.Options.SceneOriginYMachineMicrometres, sim.Options.ZAtDatumFocusMicrometres + 60);
        await stage.MoveToAsync(start, CancellationToken.None).WaitAsync(SimStation.Guard);
        await light.SetAsync(LightingState.Segmented(light.SegmentCount, Enumerable.Range(0, light.SegmentCount), 0.6), CancellationToken.None);
        return (stage, light, sim);
    }

    private double PixelSizeOfTheSeededCalibration()
    {
        var record = station.Get<CalibrationStore>().History(CalibrationKind.PixelSize).OrderByDescending(r => r.Version).First();
        var pixel = PixelCalibration.FromRecord(record);
        Assert.Equal(pixel.PixelSizeX, pixel.PixelSizeY); // the simulated camera's pixels are square
        return pixel.PixelSizeX.Value;
    }

    [Fact]
    public async Task Autofocus_refuses_a_step_larger_than_half_the_range_before_moving()
    {
        using var client = station.CreateClient();
        using var response = await client.PostAsync(ControlApiRoutes.Autofocus, JsonContent.Create(new AutofocusRequest(100, 80), options: ControlApiJson.Options));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains("at most half of rangeMicrometres", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Selftest_reports_every_device_and_fails_the_camera_while_the_simulated_camera_delivers_nothing()
    {
        using var client = station.CreateClient();
        var light = station.Get<IRingLight>();
        double[] lightsBefore = [.. light.Current.Segments, light.Current.Coaxial];
        var healthy = await PostSelfTestAsync(client);
        foreach (var item in healthy.Items)
        {
            output.WriteLine($"{item.Device} | {item.Check} | {item.Passed} | {item.Measured} {item.Unit} | {item.Expected} | {item.Message}");
        }
        string[] expected =
        [
            "stage/status report", "stage/homed", "stage/limit switches released at rest", "stage/controller firmware", "stage/GRBL settings read",
            "stage/X travel", "stage/Y travel", "stage/Z travel", "stage/X short move and back", "stage/Y short move and back", "stage/Z short move and back",
            "panel/door interlock", "panel/casing sensor", "panel/motor enable output",
            "camera/frame", "camera/saturated pixels", "camera/temporal noise", "camera/black level (lights off)",
            "ring light/all off (safe state)", "ring light/coaxial brightness",
            .. Enumerable.Range(0, light.SegmentCount).Select(k => $"ring light/segment {k} brightness"),
            "storage/free space", "storage/durable write and read back (64 KiB)", "clock/NTP synchronised",
        ];
        var checks = healthy.Items.Select(i => $"{i.Device}/{i.Check}").ToHashSet();
        Assert.All(expected, e => Assert.Contains(e, checks));
        // Everything the simulator models passes; the clock depends on the machine running the test.
        Assert.All(healthy.Items.Where(i => i.Device != "clock"), i => Assert.True(i.Passed, $"{i.Device}/{i.Check}: {i.Measured} ({i.Message})"));
        Assert.Equal(healthy.Items.All(i => i.Passed), healthy.Passed);
        Assert.Equal("0", healthy.Items.Single(i => i.Check == "X short move and back").Measured);

        var sim = station.Get<SimulatedCamera>();
        sim.StopFrames();
        SelfTestReport faulty;
        try
        {
            faulty = await PostSelfTestAsync(client);
        }
        finally
        {
            sim.ResumeFrames();
        }
        Assert.False(faulty.Passed);
        var frame = faulty.Items.Single(i => i.Device == "camera" && i.Check == "frame");
        Assert.False(frame.Passed);
        Assert.Contains("timed out", frame.Message, StringComparison.Ordinal);
        Assert.All(faulty.Items.Where(i => i.Check.StartsWith("segment", StringComparison.Ordinal)), i => Assert.False(i.Passed));
        Assert.True(faulty.Items.Single(i => i.Check == "X short move and back").Passed); // the other devices are still tested
        Assert.Equal<double>(lightsBefore, light.Current.Segments.Append(light.Current.Coaxial)); // put back as they were

        var audit = await File.ReadAllLinesAsync(Path.Combine(station.DataDirectory, "audit", "audit.jsonl"));
        var last = audit.Select(l => JsonDocument.Parse(l).RootElement).Last(e => e.GetProperty("action").GetString() == "selftest.run");
        Assert.False(last.GetProperty("details").GetProperty("passed").GetBoolean());
        Assert.Contains("camera: frame", last.GetProperty("details").GetProperty("failed").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task The_real_acq_selftest_json_prints_the_report_and_exits_by_its_verdict()
    {
        var start = new System.Diagnostics.ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "acq.dll"), "selftest", "--json", "--socket", station.SocketPath })
        {
            start.ArgumentList.Add(a);
        }
        start.Environment["NO_COLOR"] = "1";
        start.Environment["TERM"] = "dumb";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = System.Diagnostics.Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using (var guard = new CancellationTokenSource(SimStation.Guard))
        {
            await process.WaitForExitAsync(guard.Token);
        }
        var text = await stdout;
        output.WriteLine(await stderr);

        var report = JsonSerializer.Deserialize<SelfTestReport>(text, ControlApiJson.Options)!;
        Assert.Contains(report.Items, i => i.Device == "camera" && i.Check == "frame" && i.Passed);
        Assert.Contains(report.Items, i => i.Device == "storage" && i.Passed);
        Assert.Equal(report.Passed ? 0 : 1, process.ExitCode); // documented: 1 when any item fails
    }

    private static async Task<SelfTestReport> PostSelfTestAsync(HttpClient client)
    {
        using var response = await client.PostAsync(ControlApiRoutes.SelfTest, null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<SelfTestReport>(body, ControlApiJson.Options)!;
    }
    /// <summary>
    /// The heights of the surfaces in view: the centres of the height histogram's local maxima that hold at least
    /// <paramref name="minimumShare"/> of the pixels within ±10 µm, at least <paramref name="minimumSeparationMicrometres"/> apart.
    /// </summary>
    private static List<double> SurfaceHeights(float[] heights, double binMicrometres, double minimumSeparationMicrometres, double minimumShare)
    {
        var valid = heights.Where(float.IsFinite).ToArray();
        if (valid.Length == 0)
        {
            return [];
        }
        var low = valid.Min();
        var bins = new int[(int)((valid.Max() - low) / binMicrometres) + 1];
        foreach (var v in valid)
        {
            bins[(int)((v - low) / binMicrometres)]++;
        }
        var reach = (int)Math.Ceiling(10 / binMicrometres);
        var candidates = new List<(double Height, int Count)>();
        for (var i = 0; i < bins.Length; i++)
        {
            var near = 0;
            for (var j = Math.Max(0, i - reach); j <= Math.Min(bins.Length - 1, i + reach); j++)
            {
                near += bins[j];
            }
            var isPeak = (i == 0 || bins[i] >= bins[i - 1]) && (i == bins.Length - 1 || bins[i] >= bins[i + 1]);
            if (isPeak && near >= minimumShare * valid.Length)
            {
                candidates.Add((low + ((i + 0.5) * binMicrometres), bins[i]));
            }
        }
        var surfaces = new List<double>();
        foreach (var (height, _) in candidates.OrderByDescending(c => c.Count))
        {
            if (surfaces.All(s => Math.Abs(s - height) >= minimumSeparationMicrometres))
            {
                surfaces.Add(height);
            }
        }
        return surfaces;
    }
}
