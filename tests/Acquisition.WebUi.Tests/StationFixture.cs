using Acquisition.Core.Station;
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

    private IPlaywright? _playwright;

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
        ]);
        App = StationHost.Build(launch);
        var failures = await StationHost.PrepareAsync(App, CancellationToken.None);
        Assert.Empty(failures);
        await App.StartAsync();
        using var cts = new CancellationTokenSource(Guard);
        await App.Services.GetRequiredService<StationStateMachine>().WaitForAsync(StationState.Ready, cts.Token);
        BaseUrl = App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal)).TrimEnd('/');

        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
            Timeout = (float)Guard.TotalMilliseconds,
        });
    }

    /// <summary>A fresh browser context (own cookies) at the touchscreen's size.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true, // the station's self-signed certificate
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = locale,
        });
        context.SetDefaultTimeout((float)Guard.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseUrl + "/");
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 20_000 });
        return page;
    }

    public async Task<IPage> SignedInPageAsync(string locale = "en-US")
    {
        var page = await NewPageAsync(locale);
        await page.FillAsync("#op-id", "tech1");
        await page.FillAsync("#op-pin", "1234");
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#work-view:not([hidden])");
        await page.WaitForSelectorAsync("body[data-refreshed]");
        return page;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = true });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        _playwright?.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
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
