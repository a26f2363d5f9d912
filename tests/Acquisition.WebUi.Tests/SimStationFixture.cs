using System.Text.Json.Nodes;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.HardwareSim;
using Acquisition.Station.Hosting;
using Acquisition.Uplink;
using Acquisition.Workflow.Capture;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace Acquisition.WebUi.Tests;

/// <summary>
/// The station on the simulator profile (virtual clock, small 612×512 sensor, simulated camera behind the real
/// FreshFrameCamera, GRBL over a pseudo-terminal, panel over simulated GPIO), in-process with HTTPS on a free port,
/// and one headless Chromium. The recipes are the shipped ones with coarser z steps, so a capture takes a few dozen
/// frames: the page is under test here, not the stacker.
/// </summary>
public sealed class SimStationFixture : IAsyncLifetime
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>A whole capture on a loaded 2-core machine: a failure guard only.</summary>
    public static readonly TimeSpan CaptureGuard = TimeSpan.FromMinutes(4);

    /// <summary>Below the 612 px sensor, so the browser test sees the cap applied.</summary>
    public const int LiveViewMaxWidth = 320;

    /// <summary>Unlike the simulated camera's 10 ms start-up exposure and the recipes' own, so the test sees it applied.</summary>
    public static readonly TimeSpan LiveViewExposure = TimeSpan.FromMilliseconds(4);

    private IPlaywright? _playwright;

    public string Root { get; } = Directory.CreateTempSubdirectory("acqwebsim").FullName;

    public string DataDirectory => Path.Combine(Root, "data");

    public string FirmwareDirectory => Path.Combine(Root, "firmware-config");

    public WebApplication App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public UploadGate Upload { get; } = new(Guard);

    public SimulatedBench Bench => App.Services.GetRequiredService<SimulatedBench>();

    public CaptureSequence Sequence => App.Services.GetRequiredService<CaptureSequence>();

    public StationStateMachine State => App.Services.GetRequiredService<StationStateMachine>();

    public async Task InitializeAsync()
    {
        WriteFastRecipes();
        var launch = StationLaunch.Parse(
        [
            // The configuration's own directory is where the workflow finds calibres.json and recipes/.
            "--config", Path.Combine(FirmwareDirectory, "station.sim.json"),
            $"--Station:DataDirectory={DataDirectory}",
            "--Station:StationId=SIM-WEBSIM",
            "--Web:Port=0",
            "--Simulator:BenchControlSocket=false",
            $"--Web:CaseNumberPattern={StationFixture.CaseNumberPattern}",
            "--Web:CaseNumberCheckDigit=Luhn",
            $"--Web:LiveViewMaxWidth={LiveViewMaxWidth}",
            "--Web:LiveViewExposure=" + LiveViewExposure.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        ]);
        App = StationHost.Build(launch, services =>
        {
            services.AddSingleton<IUplinkCheckpoints>(Upload);
            // Only the outbox's own wake-up starts an upload, so the gate alone decides when "queued" ends.
            services.PostConfigure<UplinkOptions>(o => o.PollInterval = TimeSpan.FromHours(1));
        });
        var failures = await StationHost.PrepareAsync(App, CancellationToken.None);
        Assert.Empty(failures);
        await App.StartAsync();
        using var cts = new CancellationTokenSource(Guard);
        await State.WaitForAsync(StationState.Ready, cts.Token);
        BaseUrl = App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/');
        (_playwright, Browser) = await Chromium.LaunchAsync(Guard);
    }

    /// <summary>The shipped simulator configuration, calibres and recipes, every region's z step and the autofocus steps made coarser (same ranges, QC and lightings).</summary>
    private void WriteFastRecipes()
    {
        var recipes = Path.Combine(FirmwareDirectory, "recipes");
        Directory.CreateDirectory(recipes);
        foreach (var name in new[] { "station.sim.json", "calibres.json", "grbl-settings.txt" })
        {
            File.Copy(RepositoryPaths.FirmwareConfig(name), Path.Combine(FirmwareDirectory, name));
        }
        foreach (var file in Directory.GetFiles(RepositoryPaths.FirmwareConfig("recipes"), "*.json"))
        {
            var recipe = JsonNode.Parse(File.ReadAllText(file))!;
            foreach (var region in recipe["regions"]!.AsArray())
            {
                var from = region!["zRangeMicrometres"]!["from"]!.GetValue<double>();
                var to = region["zRangeMicrometres"]!["to"]!.GetValue<double>();
                region["zStepMicrometres"] = Math.Max(region["zStepMicrometres"]!.GetValue<double>(), (to - from) / 8);
            }
            // Every capture (full, aborted, door) first sweeps focus: a 20 µm coarse step halves that sweep's frames.
            var overview = recipe["overview"]!;
            overview["autofocusCoarseStepMicrometres"] = Math.Max(overview["autofocusCoarseStepMicrometres"]!.GetValue<double>(), 20);
            overview["autofocusFineStepMicrometres"] = Math.Max(overview["autofocusFineStepMicrometres"]!.GetValue<double>(), 4);
            File.WriteAllText(Path.Combine(recipes, Path.GetFileName(file)), recipe.ToJsonString());
        }
    }

    public Task<IPage> NewPageAsync(string locale = "en-US") => Chromium.NewPageAsync(Browser, BaseUrl, Guard, locale);

    public async Task<IPage> SignedInPageAsync(string locale = "en-US")
    {
        var page = await NewPageAsync(locale);
        await Chromium.SignInAsync(page);
        return page;
    }

    /// <summary>Closes the bench's door and inserts the casing, then waits until the panel reports both (debounced on the simulator's clock).</summary>
    public async Task LoadCasingAsync()
    {
        var panel = App.Services.GetRequiredService<IOperatorPanel>();
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (panel.CasingPresent == true && panel.DoorClosed)
            {
                loaded.TrySetResult();
            }
        }
        void OnPanel(object? sender, PanelEvent e) => Check();
        panel.EventRaised += OnPanel;
        try
        {
            Bench.CloseDoor();
            Bench.InsertCasing();
            Check();
            await loaded.Task.WaitAsync(Guard);
        }
        finally
        {
            panel.EventRaised -= OnPanel;
        }
    }

    /// <summary>Opens or closes the bench's door and waits until the panel reports it (debounced on the simulator's clock).</summary>
    public async Task SetDoorAsync(bool open)
    {
        var panel = App.Services.GetRequiredService<IOperatorPanel>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check()
        {
            if (panel.DoorClosed != open)
            {
                done.TrySetResult();
            }
        }
        void OnPanel(object? sender, PanelEvent e) => Check();
        panel.EventRaised += OnPanel;
        try
        {
            if (open)
            {
                Bench.OpenDoor();
            }
            else
            {
                Bench.CloseDoor();
            }
            Check();
            await done.Task.WaitAsync(Guard);
        }
        finally
        {
            panel.EventRaised -= OnPanel;
        }
    }

    /// <summary>Completes with the first progress event that matches, raised by the sequence on the capture's flow.</summary>
    public Task<CaptureProgress> WaitForProgressAsync(Func<CaptureProgress, bool> match)
    {
        var tcs = new TaskCompletionSource<CaptureProgress>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnProgress(object? sender, CaptureProgress p)
        {
            if (match(p) && tcs.TrySetResult(p))
            {
                Sequence.Progress -= OnProgress;
            }
        }
        Sequence.Progress += OnProgress;
        return tcs.Task.WaitAsync(CaptureGuard);
    }

    /// <summary>
    /// Stops the capture at the first progress event that matches, holding the simulator's clock still, until the
    /// hold is released: the page can be looked at mid-capture without racing the stack. The page's own handler ran
    /// first (it subscribed at start), so the event is already on its way to the browser.
    /// </summary>
    public CaptureHold HoldAt(Func<CaptureProgress, bool> match) => new(Sequence, Bench, match, Guard);

    public async Task DisposeAsync()
    {
        Upload.Open();
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Upload.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory does not make a test wrong.
        }
    }
}
