using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Acquisition.WebUi.Tests;

[Collection(StationCollection.Name)]
public sealed class AccessibilityTests(StationFixture station)
{
    [Fact]
    public async Task Axe_reports_no_serious_or_critical_violations_on_the_sign_in_and_work_views()
    {
        var page = await station.NewPageAsync();
        AssertNoSeriousViolations(await page.RunAxe(), "sign-in");
        await page.Context.CloseAsync();

        page = await station.SignedInPageAsync();
        // Show a field error too, so the error styling is checked.
        await page.FillAsync("#f-agency", "");
        await page.ClickAsync("#case-form button[type=submit]");
        await page.WaitForSelectorAsync("#e-agency:not(:empty)");
        AssertNoSeriousViolations(await page.RunAxe(), "work view");
        await page.Context.CloseAsync();
    }

    private static void AssertNoSeriousViolations(Deque.AxeCore.Commons.AxeResult result, string view)
    {
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}")
            .ToList();
        Assert.True(bad.Count == 0, view + ": " + string.Join("\n", bad));
    }

    [Fact]
    public async Task At_1280x800_every_touch_target_is_at_least_48_px()
    {
        var page = await station.SignedInPageAsync();
        var small = new List<string>();
        foreach (var handle in await page.QuerySelectorAllAsync("button, input, select, a[href], summary"))
        {
            if (!await handle.IsVisibleAsync())
            {
                continue;
            }
            var box = await handle.BoundingBoxAsync();
            if (box is null)
            {
                continue;
            }
            if (box.Width < 48 || box.Height < 48)
            {
                var id = await handle.EvaluateAsync<string>("e => e.id || e.name || e.outerHTML.slice(0, 60)");
                small.Add($"{id}: {box.Width}×{box.Height}");
            }
        }
        Assert.True(small.Count == 0, "Touch targets under 48 px: " + string.Join("; ", small));
        // Nothing scrolls sideways on the touchscreen.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= 1280"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_spanish_page_has_every_string_translated()
    {
        var english = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(RepositoryPaths.Resource("web.en.json")))!;
        var spanish = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(RepositoryPaths.Resource("web.es.json")))!;
        Assert.Equal(english.Keys.Order(), spanish.Keys.Order());
        Assert.All(spanish, kv => Assert.False(string.IsNullOrWhiteSpace(kv.Value), kv.Key + " is empty in Spanish"));

        var page = await station.SignedInPageAsync("es-MX");
        await page.SelectOptionAsync("#lang", "es");
        await page.WaitForFunctionAsync("() => document.documentElement.lang === 'es'");
        await page.WaitForFunctionAsync("n => +document.body.dataset.refreshed > n", await page.EvaluateAsync<int>("() => +document.body.dataset.refreshed"));

        // Every localisable element shows its Spanish resource.
        var shown = await page.EvaluateAsync<Dictionary<string, string>[]>(
            "() => [...document.querySelectorAll('[data-i18n]')].map(e => ({ key: e.dataset.i18n, text: e.textContent }))");
        foreach (var e in shown)
        {
            Assert.Equal(spanish[e["key"]], e["text"]);
        }
        // No visible text anywhere is an English string that has a different Spanish translation.
        var visible = await page.EvaluateAsync<string[]>(
            "() => { const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT); const out = []; let n;" +
            " while ((n = w.nextNode())) { const p = n.parentElement; if (p && p.offsetParent !== null && n.textContent.trim()) out.push(n.textContent.trim()); } return out; }");
        var untranslated = english.Where(kv => spanish[kv.Key] != kv.Value && !kv.Value.Contains('{'))
            .Select(kv => kv.Value).Intersect(visible).ToList();
        Assert.True(untranslated.Count == 0, "English strings on the Spanish page: " + string.Join(" | ", untranslated));
        await StationFixture.ScreenshotAsync(page, "technician-page-es");

        // Field messages from the server come in the chosen language too.
        await page.FillAsync("#f-exhibit", "");
        await page.ClickAsync("#case-form button[type=submit]");
        await page.WaitForSelectorAsync("#e-exhibit:not(:empty)");
        Assert.Equal(spanish["err.required"], await page.TextContentAsync("#e-exhibit"));
        await page.Context.CloseAsync();
    }
}
