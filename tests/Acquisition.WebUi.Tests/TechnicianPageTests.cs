using System.Net;
using System.Text.Json;
using Acquisition.Core.Storage;
using Microsoft.Playwright;
using Acquisition.Tests.Shared;

namespace Acquisition.WebUi.Tests;

[Collection(StationCollection.Name)]
public sealed class TechnicianPageTests(StationFixture station)
{
    [Fact]
    public async Task Sign_in_and_enter_a_case_records_the_signed_in_operator_and_audits_it()
    {
        var page = await station.SignedInPageAsync();
        Assert.Contains("tech1", await page.TextContentAsync("#who-name"));

        await page.FillAsync("#f-agency", "tx2270000");
        await page.FillAsync("#f-caseNumber", StationFixture.ValidCaseNumber);
        await page.FillAsync("#f-exhibit", "E-12");
        await page.FillAsync("#f-item", "3");
        await page.FillAsync("#f-calibre", "9x19mm Parabellum");
        await page.FillAsync("#f-recoveryDate", "2026-11-20");
        await page.FillAsync("#f-recoveryLocation", "Nogales port of entry");
        await page.CheckAsync("input[name=recoveredNearBorder]");
        await page.ClickAsync("#case-form button[type=submit]");
        await page.WaitForSelectorAsync("#case-ok:text('Case saved.')");

        // The stored case: canonical calibre and agency, and the operator is the signed-in account.
        Assert.Equal("9mm Luger", await page.InputValueAsync("#f-calibre"));
        var stored = Directory.GetFiles(Path.Combine(station.DataDirectory, "case"), "case-*.json").Order().Last();
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(stored));
        Assert.Equal("tech1", doc.RootElement.GetProperty("operatorId").GetString());
        Assert.Equal("TX2270000", doc.RootElement.GetProperty("agency").GetString());
        Assert.True(doc.RootElement.GetProperty("searchProtocol").GetProperty("recoveredNearBorder").GetBoolean());

        var audit = await station.App.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "web.signin" && e.User == "web:tech1");
        Assert.Contains(audit, e => e.Action == "case.set" && e.User == "web:tech1");

        // A fresh load shows the stored case (every field, including Item).
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("#work-view:not([hidden])");
        await page.WaitForFunctionAsync("() => document.getElementById('f-item').value === '3'");
        Assert.Equal(StationFixture.ValidCaseNumber, await page.InputValueAsync("#f-caseNumber"));

        // Status bar is filled in from the station.
        Assert.Equal("Ready", await page.TextContentAsync("#st-state"));
        await StationFixture.ScreenshotAsync(page, "technician-page");

        await page.ClickAsync("#signout");
        await page.WaitForSelectorAsync("#signin-view:not([hidden])");
        audit = await station.App.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "web.signout" && e.User == "web:tech1");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_pin_is_refused_with_a_message_and_audited()
    {
        var page = await station.NewPageAsync();
        await page.FillAsync("#op-id", "tech2");
        await page.FillAsync("#op-pin", "0000");
        await page.ClickAsync("#signin-form button[type=submit]");
        await page.WaitForSelectorAsync("#signin-error:has-text('not correct')");
        Assert.True(await page.IsHiddenAsync("#work-view"));
        var audit = await station.App.Services.GetRequiredService<AuditLog>().ReadAllAsync(CancellationToken.None);
        Assert.Contains(audit, e => e.Action == "web.signin.failed" && e.User == "web:tech2");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Invalid_input_shows_its_message_at_the_field()
    {
        var page = await station.SignedInPageAsync();
        await page.FillAsync("#f-agency", "T!");
        await page.FillAsync("#f-caseNumber", StationFixture.BadCheckDigitCaseNumber);
        await page.FillAsync("#f-exhibit", "");
        await page.FillAsync("#f-item", "1");
        await page.FillAsync("#f-calibre", "9mm Lugr");
        await page.FillAsync("#f-recoveryDate", "2099-01-01");
        await page.ClickAsync("#case-form button[type=submit]");
        await page.WaitForSelectorAsync("#e-caseNumber:not(:empty)");

        Assert.Contains("ORI", await page.TextContentAsync("#e-agency"));
        Assert.Contains("check digit", await page.TextContentAsync("#e-caseNumber"));
        Assert.Contains("keyboard", await page.TextContentAsync("#e-caseNumber"));
        Assert.Equal("Required.", await page.TextContentAsync("#e-exhibit"));
        Assert.Contains("9mm Luger", await page.TextContentAsync("#e-calibre"));
        Assert.Contains("future", await page.TextContentAsync("#e-recoveryDate"));
        Assert.Equal("", await page.TextContentAsync("#e-item"));
        Assert.Equal("true", await page.GetAttributeAsync("#f-caseNumber", "aria-invalid"));
        await StationFixture.ScreenshotAsync(page, "technician-page-invalid");

        // A value that does not match the lab's pattern (a garbled scan) gets the pattern message.
        await page.FillAsync("#f-caseNumber", "2026ß001236");
        await page.ClickAsync("#case-form button[type=submit]");
        await page.WaitForSelectorAsync("#e-caseNumber:has-text('format')");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Capture_without_a_composed_capture_service_says_so_and_the_button_is_disabled()
    {
        var page = await station.SignedInPageAsync();
        Assert.True(await page.IsDisabledAsync("#capture"));
        Assert.Contains("not available", await page.TextContentAsync("#capture-msg"));
        Assert.Contains("not available", await page.TextContentAsync("#live-msg"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_station_that_stops_answering_is_shown_and_the_page_recovers_by_itself()
    {
        var page = await station.SignedInPageAsync();
        await page.WaitForFunctionAsync("() => +(document.body.dataset.refreshed || 0) >= 1");
        var statusRequests = new System.Text.RegularExpressions.Regex("/status\\?");

        // The network drops every status request: the page says so, and keeps asking rather than freezing on the
        // last state it saw (two failures in a row).
        await page.RouteAsync(statusRequests, route => route.AbortAsync());
        await page.WaitForFunctionAsync("() => +(document.body.dataset.refreshFailures || 0) >= 2");
        Assert.Equal("Station not answering; retrying", await page.TextContentAsync("#st-state"));
        Assert.Equal("bad", await page.GetAttributeAsync("#st-state", "class"));

        // Back on the network, the next poll shows the station's state again.
        var refreshed = await page.EvalOnSelectorAsync<int>("body", "b => +(b.dataset.refreshed || 0)");
        await page.UnrouteAsync(statusRequests);
        await page.WaitForFunctionAsync($"() => +(document.body.dataset.refreshed || 0) > {refreshed}");
        Assert.NotEqual("Station not answering; retrying", await page.TextContentAsync("#st-state"));
        Assert.Equal("", await page.GetAttributeAsync("#st-state", "class"));

        // A status request that is never answered (a wedged station, a half-open connection): after the page's 10 s
        // poll timeout it says so and polls again, instead of waiting on the browser's own limit with the last state
        // shown; the event stream, which a half-open connection silences too, is dropped and opened afresh once the
        // station answers, and capture stays off meanwhile.
        await page.WaitForFunctionAsync("() => document.body.dataset.events === 'open'");
        var failures = await page.EvalOnSelectorAsync<int>("body", "b => +(b.dataset.refreshFailures || 0)");
        var unanswered = new TaskCompletionSource();
        await page.RouteAsync(statusRequests, _ => { unanswered.TrySetResult(); return Task.CompletedTask; });
        try
        {
            await unanswered.Task.WaitAsync(StationFixture.Guard);
            await page.WaitForFunctionAsync($"() => +(document.body.dataset.refreshFailures || 0) > {failures}", null, new() { Timeout = (float)StationFixture.Guard.TotalMilliseconds });
            Assert.Equal("Station not answering; retrying", await page.TextContentAsync("#st-state"));
            Assert.Null(await page.EvalOnSelectorAsync<string?>("body", "b => b.dataset.events ?? null"));
            Assert.True(await page.IsDisabledAsync("#capture"));
            refreshed = await page.EvalOnSelectorAsync<int>("body", "b => +(b.dataset.refreshed || 0)");
        }
        finally
        {
            await page.UnrouteAsync(statusRequests);
        }
        await page.WaitForFunctionAsync($"() => +(document.body.dataset.refreshed || 0) > {refreshed}");
        Assert.Equal("", await page.GetAttributeAsync("#st-state", "class"));
        await page.WaitForFunctionAsync("() => document.body.dataset.events === 'open'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_and_the_control_api_answer_only_on_their_own_listener()
    {
        using var https = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true })
        {
            Timeout = StationFixture.Guard,
        };
        Assert.Equal(HttpStatusCode.NotFound, (await https.GetAsync(station.BaseUrl + "/status")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await https.GetAsync(station.BaseUrl + "/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await https.GetAsync(station.BaseUrl + "/api/tech/case")).StatusCode);

        using var socket = ControlSocketClient.Create(station.SocketPath, StationFixture.Guard);
        Assert.Equal(HttpStatusCode.OK, (await socket.GetAsync("/status")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await socket.GetAsync("/api/tech/strings/en")).StatusCode);

        // The self-signed certificate was generated into keys/ with owner-only permissions.
        var pfx = Path.Combine(station.DataDirectory, "keys", "web-tls.pfx");
        Assert.True(File.Exists(pfx));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(pfx));
    }
}
