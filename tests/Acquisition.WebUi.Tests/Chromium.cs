using Microsoft.Playwright;

namespace Acquisition.WebUi.Tests;

/// <summary>Debian's Chromium driven by Playwright (no Playwright browser download), and the page steps every test shares.</summary>
internal static class Chromium
{
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync(TimeSpan guard)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
            Timeout = (float)guard.TotalMilliseconds,
        });
        return (playwright, browser);
    }

    /// <summary>A fresh browser context (own cookies) at the touchscreen's size, on the loaded page.</summary>
    public static async Task<IPage> NewPageAsync(IBrowser browser, string baseUrl, TimeSpan guard, string locale = "en-US")
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true, // the station's self-signed certificate
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Locale = locale,
        });
        context.SetDefaultTimeout((float)guard.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await page.GotoAsync(baseUrl + "/");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        return page;
    }

    public static async Task SignInAsync(IPage page, string id = "tech1", string pin = "1234")
    {
        await page.FillAsync("#op-id", id);
        await page.FillAsync("#op-pin", pin);
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#work-view:not([hidden])");
        await page.WaitForSelectorAsync("body[data-refreshed]");
    }

    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = fullPage });
    }
}
