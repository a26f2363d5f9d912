using Acquisition.Core.Station;
using Acquisition.HardwareSim.Serial;
using Acquisition.Station.Hosting;
using Microsoft.Playwright;

namespace Acquisition.WebUi.Tests;

/// <summary>
/// One real station (in-process host, fake hardware profile, temp data directory, HTTPS on a free loopback port) and
/// one headless Debian Chromium driven by Playwright, shared by the tests of a class.
/// </summary>
public sealed class StationFixture : IAsyncLifetime
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>The lab's case-number format in these tests: year, 5 digits and a Luhn check digit.</summary>
    public const string CaseNumberPattern = @"\d{4}-\d{6}";
    public const string ValidCaseNumber = "2026-001236";
    public const string BadCheckDigitCaseNumber = "2026-001237";

    /// <summary>Wrong PINs before an id is locked, in these tests.</summary>
    public const int PinMaxAttempts = 3;

    private IPlaywright? _playwright;

    /// <summary>The serial barcode scanner: the test writes to the master side, the station reads the slave with a real SerialPort.</summary>
    public PseudoTerminal Scanner { get; } = new();

    public string Root { get; } = Directory.CreateTempSubdirectory("acqweb").FullName;

    public string DataDirectory => Path.Combine(Root, "data");

    public WebApplication App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    public string SocketPath => Path.Combine(DataDirectory, "run", "control.sock");

    public async Task InitializeAsync()
    {
        var launch = StationLaunch.Parse(
        [
            "--config", RepositoryPaths.FirmwareConfig("station.sim.json"),
            $"--Station:DataDirectory={DataDirectory}",
            "--Station:Hardware=fake",
            "--Station:StationId=SIM-WEB",
            "--Web:Port=0",
            $"--Web:FirmwareConfigDirectory={RepositoryPaths.FirmwareConfig("")}",
            $"--Web:CaseNumberPattern={CaseNumberPattern}",
            "--Web:CaseNumberCheckDigit=Luhn",
            $"--Web:BarcodeScannerPort={Scanner.SlavePath}",
            $"--Web:PinMaxAttempts={PinMaxAttempts}",
        ]);
        App = StationHost.Build(launch);
        var failures = await StationHost.PrepareAsync(App, CancellationToken.None);
        Assert.Empty(failures);
        await App.StartAsync();
        using var cts = new CancellationTokenSource(Guard);
        await App.Services.GetRequiredService<StationStateMachine>().WaitForAsync(StationState.Ready, cts.Token);
        BaseUrl = App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/');

        (_playwright, Browser) = await Chromium.LaunchAsync(Guard);
    }

    /// <summary>A fresh browser context (own cookies) at the touchscreen's size.</summary>
    public Task<IPage> NewPageAsync(string locale = "en-US") => Chromium.NewPageAsync(Browser, BaseUrl, Guard, locale);

    public async Task<IPage> SignedInPageAsync(string locale = "en-US")
    {
        var page = await NewPageAsync(locale);
        await Chromium.SignInAsync(page);
        return page;
    }

    public static Task ScreenshotAsync(IPage page, string name) => Chromium.ScreenshotAsync(page, name);

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        Scanner.Dispose();
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
