using System.Text;
using Acquisition.Core.Storage;
using Microsoft.Playwright;

namespace Acquisition.WebUi.Tests;

[Collection(StationCollection.Name)]
public sealed class ScannerAndPinTests(StationFixture station)
{
    private async Task ScanAsync(IPage page, string line)
    {
        var before = await page.EvaluateAsync<int>("() => +(document.body.dataset.scans || 0)");
        station.Scanner.Write(Encoding.ASCII.GetBytes(line));
        await page.WaitForFunctionAsync("n => +(document.body.dataset.scans || 0) > n", before);
    }

    [Fact]
    public async Task The_serial_scanner_fills_the_focused_field_and_a_misread_case_number_gets_its_message()
    {
        var page = await station.SignedInPageAsync();
        await page.WaitForSelectorAsync("body[data-events=open]");

        // Into the focused field, like a keyboard scanner.
        await page.FocusAsync("#f-exhibit");
        await ScanAsync(page, "E-77\r\n");
        Assert.Equal("E-77", await page.InputValueAsync("#f-exhibit"));

        // A valid case number (pattern and Luhn check digit) clears the field's message.
        await page.FocusAsync("#f-caseNumber");
        await ScanAsync(page, StationFixture.ValidCaseNumber + "\r");
        Assert.Equal(StationFixture.ValidCaseNumber, await page.InputValueAsync("#f-caseNumber"));
        Assert.Equal("", await page.TextContentAsync("#e-caseNumber"));

        // One digit misread: the check digit catches it at once, at the field.
        await ScanAsync(page, StationFixture.BadCheckDigitCaseNumber + "\n");
        Assert.Equal(StationFixture.BadCheckDigitCaseNumber, await page.InputValueAsync("#f-caseNumber"));
        Assert.Contains("check digit", await page.TextContentAsync("#e-caseNumber"));
        Assert.Equal("true", await page.GetAttributeAsync("#f-caseNumber", "aria-invalid"));

        // Not the lab's format (another lab's label): the pattern message. With nothing focused it goes to the case number.
        await page.EvaluateAsync("() => document.activeElement && document.activeElement.blur()");
        await ScanAsync(page, "LAB2/99/123\r\n");
        Assert.Equal("LAB2/99/123", await page.InputValueAsync("#f-caseNumber"));
        Assert.Contains("format", await page.TextContentAsync("#e-caseNumber"));
        await StationFixture.ScreenshotAsync(page, "technician-page-scan-invalid");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Wrong_pins_lock_the_operator_id_even_for_the_right_pin_and_it_is_audited()
    {
        var page = await station.NewPageAsync();
        async Task<int> TryAsync(string pin)
        {
            await page.FillAsync("#op-id", "tech9");
            await page.FillAsync("#op-pin", pin);
            var response = await page.RunAndWaitForResponseAsync(() => page.ClickAsync("#signin-form button[type=submit]"), "**/api/tech/signin**");
            return response.Status;
        }
        for (var i = 1; i < StationFixture.PinMaxAttempts; i++)
        {
            Assert.Equal(401, await TryAsync("0000"));
            await page.WaitForSelectorAsync("#signin-error:has-text('not correct')");
        }
        Assert.Equal(429, await TryAsync("0000"));
        await page.WaitForSelectorAsync("#signin-error:has-text('locked until')");
        Assert.Equal(429, await TryAsync("1234"));
        Assert.True(await page.IsHiddenAsync("#work-view"));

        var audit = await station.App.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None);
        Assert.Equal(StationFixture.PinMaxAttempts, audit.Count(e => e.Action == "web.signin.failed" && e.User == "web:tech9"));
        Assert.Single(audit, e => e.Action == "web.signin.locked" && e.User == "web:tech9");
        Assert.Contains(audit, e => e.Action == "web.signin.refused-locked" && e.User == "web:tech9");
        await page.Context.CloseAsync();
    }
}
