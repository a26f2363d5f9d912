using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Station.Web;
using Acquisition.Uplink;
using Acquisition.Workflow.Capture;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using OpenCvSharp;
using Xunit.Abstractions;

namespace Acquisition.WebUi.Tests;

/// <summary>
/// Captures driven from the page's buttons against the station on the simulator (virtual clock). The door test runs
/// last (tests run in name order): the simulated GRBL controller latches its safety-door state, which on a real
/// station takes a resume or homing from the service socket, so no capture can follow it on the same station.
/// </summary>
[Collection(SimStationCollection.Name)]
[TestCaseOrderer(MethodNameOrderer.TypeName, MethodNameOrderer.AssemblyName)]
public sealed class CaptureFromPageTests(SimStationFixture sim, ITestOutputHelper output)
{
    private static async Task EnterCaseAsync(IPage page, string exhibit)
    {
        await page.FillAsync("#f-agency", "TX2270000");
        await page.FillAsync("#f-caseNumber", StationFixture.ValidCaseNumber);
        await page.FillAsync("#f-exhibit", exhibit);
        await page.FillAsync("#f-item", "1");
        await page.FillAsync("#f-calibre", "9mm Luger");
        await page.FillAsync("#f-recoveryDate", "2026-11-20");
        await page.FillAsync("#f-recoveryLocation", "Nogales");
        await page.ClickAsync("#case-form button[type=submit]");
        await page.WaitForSelectorAsync("#case-ok:text('Case saved.')");
    }

    [Fact]
    public async Task A_capture_from_the_page_shows_progress_per_region_with_eta_then_images_qc_and_upload_queued_rejected_with_reason_then_uploaded()
    {
        var wall = System.Diagnostics.Stopwatch.StartNew(); // reported, never asserted
        await sim.LoadCasingAsync();
        var live = sim.App.Services.GetRequiredService<LiveView>();
        var page = await sim.SignedInPageAsync();
        await EnterCaseAsync(page, "E-CAP");

        // Live view before the capture: MJPEG frames arrive, scaled to the configured cap.
        await page.WaitForFunctionAsync("() => { const i = document.getElementById('live'); return !i.hidden && i.naturalWidth > 0; }");
        Assert.Equal(SimStationFixture.LiveViewMaxWidth, await page.EvalOnSelectorAsync<int>("#live", "i => i.naturalWidth"));
        Assert.True(live.FramesSent > 0);
        // Between captures the lights are off (safe state); while the view is watched it lights the casing with the
        // recipe's overview lighting. (Before the first capture the stage is at home, away from the holder, so the
        // simulator shows nothing there yet; the level is checked after the capture, over the casing.)
        var lighting = sim.App.Services.GetRequiredService<LiveViewLighting>();
        var light = sim.App.Services.GetRequiredService<IRingLight>();
        Assert.True(lighting.IsLit);
        Assert.False(light.Current.IsOff);
        output.WriteLine($"live view mean level at home, lit: {await page.EvalOnSelectorAsync<double>("#live", MeanLevelScript):0.0} of 255");

        sim.Upload.Close();
        using var firstRegion = sim.HoldAt(p => p.Phase == CapturePhase.Stacking && p.RegionIndex == 0 && p.FramesDone >= 2);
        using var secondRegion = sim.HoldAt(p => p.Phase == CapturePhase.Stacking && p.RegionIndex == 1 && p.Slice >= 1 && p.Lighting == "coaxial");
        await page.ClickAsync("#capture");

        var held = await firstRegion.Reached;
        output.WriteLine($"first region stacking after {wall.Elapsed}");
        Assert.Equal(3, held.RegionCount);
        await page.WaitForSelectorAsync("#region-progress li[data-region=BreechFace][data-state=stacking]");
        await page.WaitForSelectorAsync("#capture-eta:has-text('Time left')");
        Assert.True(await page.IsDisabledAsync("#capture"));
        Assert.False(await page.IsDisabledAsync("#abort"));
        // The live view is paused during the stack: the page says so and the server sends nothing.
        await page.WaitForSelectorAsync("#live-msg:has-text('paused')");
        var framesAtFirstRegion = live.FramesSent;
        firstRegion.Release();

        held = await secondRegion.Reached;
        output.WriteLine($"second region stacking after {wall.Elapsed}");
        await page.WaitForSelectorAsync("#region-progress li[data-region=BreechFace][data-state=done]");
        await page.WaitForSelectorAsync("#region-progress li[data-region=FiringPinImpression][data-state=stacking]");
        var message = await page.TextContentAsync("#capture-msg");
        Assert.Contains("FiringPinImpression (region 2 of 3)", message);
        Assert.Contains("lighting coaxial", message);
        Assert.Contains($"of {held.SliceCount}", message);
        Assert.Contains("ring-oblique, coaxial", await page.TextContentAsync("#region-progress li[data-region=BreechFace]"));
        Assert.True(await page.EvalOnSelectorAsync<double>("#progress", "p => p.value") > 0);
        Assert.Equal(framesAtFirstRegion, live.FramesSent);
        await Chromium.ScreenshotAsync(page, "capture-progress");
        secondRegion.Release();

        // Finished: the result comes from the sealed package; the upload is held in the outbox ("queued").
        await sim.Upload.Held.Task.WaitAsync(SimStationFixture.CaptureGuard);
        await page.WaitForSelectorAsync("body[data-phase=done]", new PageWaitForSelectorOptions { Timeout = (float)SimStationFixture.CaptureGuard.TotalMilliseconds });
        await page.WaitForSelectorAsync("#result-upload[data-state=queued]");
        output.WriteLine($"result shown after {wall.Elapsed}");
        var captureId = await page.GetAttributeAsync("#results", "data-capture-id");
        Assert.NotNull(captureId);
        var package = Path.Combine(sim.DataDirectory, "packages", captureId);
        Assert.True(Directory.Exists(package));
        Assert.Contains("queued", await page.TextContentAsync($"#history tr[data-capture-id='{captureId}']"));

        foreach (var region in new[] { "BreechFace", "FiringPinImpression", "EjectorMark" })
        {
            var div = $"#results .region[data-region={region}]";
            Assert.Contains("QC", await page.TextContentAsync(div));
            Assert.Equal(2, await page.Locator($"{div} img.fused").CountAsync());
            await page.WaitForFunctionAsync($"() => [...document.querySelectorAll('{div} img')].every(i => i.complete && i.naturalWidth > 0)");
        }
        var passed = await page.Locator("#results .region[data-qc=pass]").CountAsync();
        var failed = page.Locator("#results .region[data-qc=fail]");
        // Every failed region says why.
        for (var i = 0; i < await failed.CountAsync(); i++)
        {
            Assert.Matches("QC failed: .+", await failed.Nth(i).TextContentAsync());
        }
        Assert.True(passed + await failed.CountAsync() == 3);

        // The height map is false colour with a µm colour bar beside the surface, no wider than the cap.
        var heightUrl = await page.GetAttributeAsync("#results .region[data-region=BreechFace] img.height", "src");
        var response = await page.Context.APIRequest.GetAsync(sim.BaseUrl + heightUrl);
        Assert.Equal(200, response.Status);
        using (var height = Cv2.ImDecode(await response.BodyAsync(), ImreadModes.Unchanged))
        {
            Assert.Equal(3, height.Channels());
            Assert.InRange(height.Width, 1, CaptureResults.MaxImageWidth);
            Cv2.Split(height, out var bgr);
            using var diff = new Mat();
            Cv2.Absdiff(bgr[0], bgr[2], diff);
            Assert.True(Cv2.CountNonZero(diff) > height.Width * height.Height / 4, "the height map is not in false colour");
            foreach (var c in bgr)
            {
                c.Dispose();
            }
        }
        await Chromium.ScreenshotAsync(page, "capture-result-queued");
        // The result view (images, QC, progress list) is accessible too.
        var axe = await page.RunAxe();
        var serious = axe.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id}: {v.Help}").ToList();
        Assert.True(serious.Count == 0, string.Join("\n", serious));

        // The demo's OCI layout already lists this capture id under another manifest (say, a copy from another
        // station's export on the same medium): released, the uplink delivers, the layout destination refuses to
        // replace a capture, the outbox records Rejected with the reason, and the page shows it through its event
        // stream (data-upload-event is set only by the SSE handler), in the result and in the day's history.
        var layout = Path.Combine(sim.DataDirectory, "oci-export");
        var index = Path.Combine(layout, "index.json");
        Assert.False(File.Exists(index), "the layout was written before the first capture was uploaded");
        Directory.CreateDirectory(layout);
        var foreign = "sha256:" + new string('0', 64);
        await File.WriteAllTextAsync(index,
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            + $"\"digest\":\"{foreign}\",\"size\":2,\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{captureId}\"}}}}]}}");
        sim.Upload.Open();
        await page.WaitForSelectorAsync($"body[data-upload-event='{captureId}:rejected']");
        await page.WaitForSelectorAsync("#result-upload[data-state=rejected]");
        var rejected = await page.TextContentAsync("#result-upload");
        Assert.Contains($"local: the layout already holds {captureId} as {foreign}", rejected);
        Assert.Equal("rejected", await page.GetAttributeAsync($"#history tr[data-capture-id='{captureId}']", "data-upload"));
        Assert.Contains($"the layout already holds {captureId}", await page.TextContentAsync($"#history tr[data-capture-id='{captureId}']"));
        var outbox = sim.App.Services.GetRequiredService<Outbox>();
        var delivery = Assert.Single(await outbox.GetAsync(captureId, CancellationToken.None));
        Assert.Equal(DeliveryState.Rejected, delivery.State);
        await Chromium.ScreenshotAsync(page, "capture-result-rejected");

        // The foreign entry removed and the delivery put back (what `acq outbox retry` does), the uplink delivers to
        // the layout and the page shows it uploaded, again through the event stream.
        File.Delete(index);
        Assert.Equal(1, await outbox.RetryAsync(captureId, CancellationToken.None));
        sim.App.Services.GetRequiredService<UplinkService>().Wake();
        await page.WaitForSelectorAsync($"body[data-upload-event='{captureId}:uploaded']");
        await page.WaitForSelectorAsync("#result-upload[data-state=uploaded]");
        Assert.Contains("uploaded", await page.TextContentAsync($"#history tr[data-capture-id='{captureId}']"));
        await Chromium.ScreenshotAsync(page, "capture-result-uploaded");
        // What the touchscreen shows (docs/images/technician-page.png comes from this one).
        await Chromium.ScreenshotAsync(page, "technician-page-1280x800", fullPage: false);

        // Showing the result changed nothing in the package.
        var keys = sim.App.Services.GetRequiredService<StationKeyStore>();
        var verification = await PackageVerifier.VerifyAsync(package, keys.TrustedKeyIds(), CancellationToken.None);
        Assert.True(verification.IsValid, verification.ToString());

        // After the capture the page's live view resumes lit; when the viewer leaves, the lights go off again.
        await WaitForFramesAsync(live, live.FramesSent + 1);
        Assert.True(lighting.IsLit);
        Assert.False(light.Current.IsOff);
        await WaitForFramesAsync(live, live.FramesSent + 2); // the browser shows a frame taken lit
        var meanLevel = await page.EvalOnSelectorAsync<double>("#live", MeanLevelScript);
        output.WriteLine($"live view mean level over the casing with the live-view lighting: {meanLevel:0.0} of 255");
        Assert.True(meanLevel > 25, $"the live view is dark: mean level {meanLevel:0.0} of 255");
        var off = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lighting.SwitchedOff += (_, why) => off.TrySetResult(why);
        await page.Context.CloseAsync();
        Assert.Equal("the live view stopped", await off.Task.WaitAsync(SimStationFixture.Guard));
        Assert.True(light.Current.IsOff, $"lights after the viewer left: {light.Current}");
        // The same view with the lights off, rendered as the live view renders it: dark, so the level above is the lighting's.
        var camera = sim.App.Services.GetRequiredService<ICamera>();
        var unlit = await camera.CaptureAsync(sim.App.Services.GetRequiredService<TimeProvider>().GetUtcNow(), CancellationToken.None)
            .WaitAsync(SimStationFixture.Guard);
        using (var jpeg = Cv2.ImDecode(LiveView.Render(unlit, null, SimStationFixture.LiveViewMaxWidth), ImreadModes.Grayscale))
        {
            var unlitLevel = Cv2.Mean(jpeg).Val0;
            output.WriteLine($"the same view unlit: {unlitLevel:0.0} of 255");
            Assert.True(unlitLevel < meanLevel / 4, $"unlit {unlitLevel:0.0} vs lit {meanLevel:0.0}");
        }
    }

    /// <summary>Mean grey level (0–255) of the live-view image as the browser shows it.</summary>
    private const string MeanLevelScript = """
        i => { const c = document.createElement('canvas'); c.width = i.naturalWidth; c.height = i.naturalHeight;
          const g = c.getContext('2d'); g.drawImage(i, 0, 0); const d = g.getImageData(0, 0, c.width, c.height).data;
          let sum = 0; for (let k = 0; k < d.length; k += 4) sum += (d[k] + d[k + 1] + d[k + 2]) / 3; return sum / (d.length / 4); }
        """;

    private static async Task WaitForFramesAsync(LiveView live, long count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(object? s, EventArgs e)
        {
            if (live.FramesSent >= count)
            {
                reached.TrySetResult();
            }
        }
        live.FrameSent += Handler;
        try
        {
            Handler(null, EventArgs.Empty);
            await reached.Task.WaitAsync(SimStationFixture.Guard);
        }
        finally
        {
            live.FrameSent -= Handler;
        }
    }

    [Fact]
    public async Task Z_the_door_opened_mid_capture_shows_the_abort_with_its_reason()
    {
        await sim.LoadCasingAsync();
        var page = await sim.SignedInPageAsync();
        await EnterCaseAsync(page, "E-DOOR");
        var stacking = sim.WaitForProgressAsync(p => p.Phase == CapturePhase.Stacking && p.FramesDone >= 1);
        await page.ClickAsync("#capture");
        await stacking;
        await page.WaitForSelectorAsync("body[data-phase=running]");
        sim.Bench.OpenDoor();

        // Aborted by the door whichever input sees it first: the panel's (debounced) door switch, or the controller's
        // own door input stopping the motion (GRBL's Door state), never a failed capture or a station fault.
        await page.WaitForSelectorAsync("body[data-phase=aborted], body[data-phase=failed]",
            new PageWaitForSelectorOptions { Timeout = (float)SimStationFixture.CaptureGuard.TotalMilliseconds });
        var message = await page.TextContentAsync("#capture-msg");
        Assert.StartsWith("Aborted: ", message, StringComparison.Ordinal);
        Assert.Contains("the door was opened during the capture", message, StringComparison.Ordinal);
        await page.WaitForSelectorAsync("#st-door:text('open')");
        await Chromium.ScreenshotAsync(page, "capture-door-abort");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task B_abort_on_the_page_stops_the_capture_and_names_the_operator()
    {
        await sim.LoadCasingAsync();
        var page = await sim.SignedInPageAsync();
        await EnterCaseAsync(page, "E-ABORT");
        var stacking = sim.WaitForProgressAsync(p => p.Phase == CapturePhase.Stacking && p.FramesDone >= 1);
        await page.ClickAsync("#capture");
        await stacking;
        await page.WaitForSelectorAsync("body[data-phase=running]");
        await page.WaitForSelectorAsync("#abort:enabled");
        await page.ClickAsync("#abort");

        await page.WaitForSelectorAsync("body[data-phase=aborted]", new PageWaitForSelectorOptions { Timeout = (float)SimStationFixture.CaptureGuard.TotalMilliseconds });
        Assert.Contains("aborted by operator tech1 on the technician page", await page.TextContentAsync("#capture-msg"));
        var audit = await sim.App.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "web.capture.abort" && e.User == "web:tech1");

        // The history is the station's UTC day. When the suite crossed midnight UTC between test A's capture and this
        // one, the page rightly lists this capture alone, and the part below, which opens the earlier one, cannot run.
        var results = sim.App.Services.GetRequiredService<CaptureResults>();
        var today = DateOnly.FromDateTime(sim.App.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        var listedToday = await results.ListDayAsync(today, CancellationToken.None);
        if (listedToday.Count == 1 && (await results.ListDayAsync(today.AddDays(-1), CancellationToken.None)).Count > 0)
        {
            output.WriteLine($"the UTC day turned between test A's capture and this one ({today:yyyy-MM-dd}): only the day's own capture is listed");
            await page.WaitForSelectorAsync($"#history tbody tr[data-capture-id='{listedToday[0].CaptureId}']");
            Assert.Equal(1, await page.Locator("#history tbody tr").CountAsync());
            await page.Context.CloseAsync();
            return;
        }

        // Every row of the day's history opens its own result, read from its sealed package: here the earlier full
        // capture (test A ran first, in name order) after the newer aborted one.
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#history tbody tr').length >= 2");
        var newest = await page.GetAttributeAsync("#history tbody tr:first-child", "data-capture-id");
        await page.WaitForSelectorAsync($"#results[data-capture-id='{newest}']");
        var earlier = await page.GetAttributeAsync("#history tbody tr:last-child", "data-capture-id");
        Assert.NotEqual(newest, earlier);
        var earlierUpload = await page.GetAttributeAsync($"#history tr[data-capture-id='{earlier}']", "data-upload");
        await page.ClickAsync($"#history tr[data-capture-id='{earlier}'] button.open");
        await page.WaitForSelectorAsync($"#results[data-capture-id='{earlier}']");
        await page.WaitForSelectorAsync($"#history tr[data-capture-id='{earlier}'][aria-current=true]");
        Assert.Contains("E-CAP", await page.TextContentAsync("#result-summary"));
        Assert.Equal(earlierUpload, await page.GetAttributeAsync("#result-upload", "data-state"));
        Assert.Equal(3, await page.Locator("#results .region").CountAsync());
        Assert.True(await page.Locator("#results img.height").CountAsync() >= 1);
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('#results img')].every(i => i.complete && i.naturalWidth > 0)");
        // It stays chosen across the page's 2 s refreshes.
        var refreshed = await page.EvalOnSelectorAsync<string>("body", "b => b.dataset.refreshed");
        await page.WaitForFunctionAsync($"() => document.body.dataset.refreshed !== '{refreshed}'");
        Assert.Equal(earlier, await page.GetAttributeAsync("#results", "data-capture-id"));
        // And back to the newest (the aborted one) from its row.
        await page.ClickAsync($"#history tr[data-capture-id='{newest}'] button.open");
        await page.WaitForSelectorAsync($"#results[data-capture-id='{newest}']");
        Assert.Contains("E-ABORT", await page.TextContentAsync("#result-summary"));
        await Chromium.ScreenshotAsync(page, "history-earlier-result");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Zz_live_view_sets_its_exposure_and_never_lights_the_station_while_the_door_is_open()
    {
        var lighting = sim.App.Services.GetRequiredService<LiveViewLighting>();
        var light = sim.App.Services.GetRequiredService<IRingLight>();
        var camera = sim.App.Services.GetRequiredService<ICamera>();
        var live = sim.App.Services.GetRequiredService<LiveView>();
        // Rounded up to whole PWM periods of the ring light, as a capture rounds its own.
        var pwm = light.PwmPeriod;
        var exposure = pwm > TimeSpan.Zero ? pwm * Math.Max(1, Math.Ceiling(SimStationFixture.LiveViewExposure / pwm)) : SimStationFixture.LiveViewExposure;
        using (var ready = new CancellationTokenSource(SimStationFixture.Guard))
        {
            await sim.State.WaitForAsync(Acquisition.Core.Station.StationState.Ready, ready.Token);
        }

        // Door open (the test before left it so; opened again here to stand alone): frames come, the lights stay off.
        await sim.SetDoorAsync(open: true);
        var page = await sim.SignedInPageAsync();
        await WaitForFramesAsync(live, live.FramesSent + 2);
        Assert.False(lighting.IsLit);
        Assert.True(light.Current.IsOff, $"lights with the door open: {light.Current}");
        // The capture before left its last region's exposure on the camera; the live view set its own.
        Assert.Equal(exposure, camera.Settings.Exposure);

        // Door closed: the next frame is taken lit.
        await sim.SetDoorAsync(open: false);
        await WaitForFramesAsync(live, live.FramesSent + 2);
        Assert.True(lighting.IsLit);
        Assert.False(light.Current.IsOff);

        // Door opened while lit: switched off (the panel's door event or the next frame, whichever comes first),
        // and frames keep coming unlit.
        var off = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lighting.SwitchedOff += (_, why) => off.TrySetResult(why);
        await sim.SetDoorAsync(open: true);
        Assert.StartsWith("the door", await off.Task.WaitAsync(SimStationFixture.Guard), StringComparison.Ordinal);
        Assert.True(light.Current.IsOff, $"lights after the door opened: {light.Current}");
        await WaitForFramesAsync(live, live.FramesSent + 2);
        Assert.False(lighting.IsLit);
        Assert.True(light.Current.IsOff, $"lights while viewing with the door open: {light.Current}");
        Assert.Equal(exposure, camera.Settings.Exposure);
        await Chromium.ScreenshotAsync(page, "live-view-door-open");
        await page.Context.CloseAsync();
    }
}
