using Acquisition.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

public sealed class OciLayoutAndRetentionTests : IDisposable
{
    private readonly TestStation _station = new();

    public void Dispose() => _station.Dispose();

    private UplinkOptions LayoutOptions(params string[] names) => new()
    {
        Destinations = names.Select(n => new UplinkDestinationOptions { Name = n, Kind = UplinkDestinationKind.OciLayout, LayoutPath = Path.Combine(_station.Root, "layout-" + n) }).ToList(),
        RetentionPeriod = TimeSpan.FromDays(30),
    };

    [Fact]
    public async Task Layout_export_passes_the_integrity_checks_and_matches_the_recorded_manifest()
    {
        var a = await _station.SealAsync(400_000, seed: 1);
        var b = await _station.SealAsync(400_000, seed: 2);
        using var rig = new UplinkRig(_station, LayoutOptions("usb"));
        var da = (await rig.EnqueueAsync(a.Path)).OciManifestDigest;
        var db = (await rig.EnqueueAsync(b.Path)).OciManifestDigest;
        await rig.DrainAsync();

        Assert.All(await rig.Outbox.ListAsync(CancellationToken.None), d => Assert.Equal(DeliveryState.Delivered, d.State));
        var layout = Path.Combine(_station.Root, "layout-usb");
        var check = await OciLayoutVerifier.VerifyAsync(layout, CancellationToken.None);
        Assert.True(check.IsValid, string.Join("; ", check.Problems));
        Assert.Equal(new[] { (a.CaptureId, da), (b.CaptureId, db) }, check.Manifests.Select(m => (m.Tag!, (string?)m.Digest)));
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", await File.ReadAllTextAsync(Path.Combine(layout, "oci-layout")));

        // A re-export is idempotent: the index does not grow.
        var artifact = await rig.Outbox.GetArtifactAsync(a.CaptureId, CancellationToken.None);
        await ((OciLayoutDestination)rig.Destinations[0]).ExportAsync(a.Path, artifact, CancellationToken.None);
        Assert.Equal(2, (await OciLayoutVerifier.VerifyAsync(layout, CancellationToken.None)).Manifests.Count);
    }

    [Fact]
    public async Task Layout_verifier_names_a_changed_blob()
    {
        var a = await _station.SealAsync(100_000);
        using var rig = new UplinkRig(_station, LayoutOptions("usb"));
        await rig.EnqueueAsync(a.Path);
        await rig.DrainAsync();
        var layout = Path.Combine(_station.Root, "layout-usb");
        var artifact = await rig.Outbox.GetArtifactAsync(a.CaptureId, CancellationToken.None);
        var victim = artifact.Layers.First(l => l.RelativePath.EndsWith("height.x3p", StringComparison.Ordinal));
        var path = Path.Combine(layout, "blobs", "sha256", victim.Hex);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[10] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        var check = await OciLayoutVerifier.VerifyAsync(layout, CancellationToken.None);
        Assert.False(check.IsValid);
        Assert.Contains(check.Problems, p => p.Contains("regions/BreechFace/height.x3p") && p.Contains(victim.Digest));
    }

    [Fact]
    public async Task Retention_deletes_only_delivered_verified_unheld_packages_after_the_period_and_audits_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        var options = LayoutOptions("usb");
        var keep = await _station.SealAsync(50_000, seed: 1);
        var held = await _station.SealAsync(50_000, seed: 2);
        var drop = await _station.SealAsync(50_000, seed: 3);
        var outbox = new Outbox(_station.Data.OutboxDatabase, options.Destinations.Select(d => (d.Name, d.Route)).ToArray(), clock);
        var audit = new AuditLog(_station.Data, clock);
        var retention = new RetentionService(outbox, audit, _station.Data, options, clock);
        var processor = new UplinkProcessor(outbox, [new OciLayoutDestination("usb", options.Destinations[0].LayoutPath!)], options, clock);
        foreach (var p in new[] { held, drop })
        {
            await outbox.EnqueueAsync(p.Path, null, CancellationToken.None);
        }
        await processor.DrainDueAsync(CancellationToken.None);
        await retention.SetHoldAsync(held.CaptureId, "court order 2026/17", "clerk", CancellationToken.None);
        await outbox.EnqueueAsync(keep.Path, null, CancellationToken.None); // queued but never delivered

        clock.Advance(TimeSpan.FromDays(29));
        Assert.Empty(await retention.RunAsync("uplink", CancellationToken.None));

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(new[] { drop.CaptureId }, await retention.RunAsync("uplink", CancellationToken.None));
        Assert.False(Directory.Exists(drop.Path));
        Assert.True(Directory.Exists(held.Path));
        Assert.True(Directory.Exists(keep.Path));

        var entries = await audit.ReadAllAsync(CancellationToken.None);
        Assert.Contains(entries, e => e.Action == "retention.hold-set" && e.User == "clerk");
        var deletion = Assert.Single(entries, e => e.Action == "retention.package-deleted");
        Assert.Contains(drop.CaptureId, deletion.Details!.Value.GetRawText());
        Assert.True((await audit.VerifyAsync(CancellationToken.None)).IsIntact);

        // Lifting the hold makes it eligible; it is then deleted on the next run.
        Assert.True(await retention.ReleaseHoldAsync(held.CaptureId, "clerk", CancellationToken.None));
        Assert.Equal(new[] { held.CaptureId }, await retention.RunAsync("uplink", CancellationToken.None));
    }

    [Fact]
    public async Task A_delivered_correction_is_kept_while_its_held_original_is_and_goes_with_it()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        var options = LayoutOptions("usb");
        var original = await _station.SealAsync(50_000, seed: 4);
        var correction = await _station.SealCorrectionAsync(original, "2026-0100");
        var outbox = new Outbox(_station.Data.OutboxDatabase, options.Destinations.Select(d => (d.Name, d.Route)).ToArray(), clock);
        var audit = new AuditLog(_station.Data, clock);
        var retention = new RetentionService(outbox, audit, _station.Data, options, clock);
        var processor = new UplinkProcessor(outbox, [new OciLayoutDestination("usb", options.Destinations[0].LayoutPath!)], options, clock);
        await outbox.EnqueueAsync(original.Path, null, CancellationToken.None);
        await outbox.EnqueueAsync(correction.Path, null, CancellationToken.None);
        await processor.DrainDueAsync(CancellationToken.None);
        await retention.SetHoldAsync(original.CaptureId, "court order 2026/18", "clerk", CancellationToken.None);

        // The hold covers the original only; its delivered correction stays beside it.
        clock.Advance(TimeSpan.FromDays(31));
        Assert.Empty(await retention.RunAsync("uplink", CancellationToken.None));
        Assert.True(Directory.Exists(correction.Path));

        Assert.True(await retention.ReleaseHoldAsync(original.CaptureId, "clerk", CancellationToken.None));
        Assert.Equal(new[] { original.CaptureId, correction.CaptureId }, await retention.RunAsync("uplink", CancellationToken.None));
        Assert.False(Directory.Exists(correction.Path));
    }

    [Fact]
    public async Task A_capture_delivered_to_one_destination_but_rejected_at_another_is_kept()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero));
        var options = LayoutOptions("usb", "archive");
        var p = await _station.SealAsync(50_000);
        var outbox = new Outbox(_station.Data.OutboxDatabase, options.Destinations.Select(d => (d.Name, d.Route)).ToArray(), clock);
        await outbox.EnqueueAsync(p.Path, null, CancellationToken.None);
        var processor = new UplinkProcessor(outbox, [new OciLayoutDestination("usb", options.Destinations[0].LayoutPath!)], options, clock);
        await processor.DrainDueAsync(CancellationToken.None);
        await outbox.MarkRejectedAsync(p.CaptureId, "archive", "denied", "{\"errors\":[{\"code\":\"DENIED\"}]}", CancellationToken.None);
        clock.Advance(TimeSpan.FromDays(365));
        var retention = new RetentionService(outbox, new AuditLog(_station.Data, clock), _station.Data, options, clock);
        Assert.Empty(await retention.RunAsync("uplink", CancellationToken.None));
        Assert.True(Directory.Exists(p.Path));
    }

    [Fact]
    public void Options_are_validated_with_every_problem_named()
    {
        var options = new UplinkOptions
        {
            ChunkSizeBytes = 10,
            Destinations =
            [
                new UplinkDestinationOptions { Name = "a", Kind = UplinkDestinationKind.Registry, RegistryUrl = "http://example.org" },
                new UplinkDestinationOptions { Name = "a", Kind = UplinkDestinationKind.OciLayout },
            ],
        };
        var result = new UplinkOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        var text = string.Join("\n", result.Failures!);
        Assert.Contains("ChunkSizeBytes", text);
        Assert.Contains("plain http", text);
        Assert.Contains("used twice", text);
        Assert.Contains("LayoutPath is required", text);
    }

    [Fact]
    public void Service_refuses_invalid_options_at_start()
    {
        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new UplinkService(_station.Data, Microsoft.Extensions.Options.Options.Create(new UplinkOptions()), TimeProvider.System));
    }

    [Fact]
    public async Task Service_queues_sealed_packages_it_finds_and_delivers_them()
    {
        var p = await _station.SealAsync(100_000);
        var aborted = await _station.SealAsync(10_000, status: "aborted");
        using var service = new UplinkService(_station.Data, Microsoft.Extensions.Options.Options.Create(LayoutOptions("usb")), TimeProvider.System, _station.Keys, new AuditLog(_station.Data, TimeProvider.System));
        await service.RunPassAsync(CancellationToken.None);
        var d = Assert.Single(await service.Outbox.ListAsync(CancellationToken.None));
        Assert.Equal(p.CaptureId, d.CaptureId);
        Assert.Equal(DeliveryState.Delivered, d.State);
        Assert.True(Directory.Exists(aborted.Path));
    }

    [Fact]
    public async Task Two_outbox_instances_racing_on_one_database_queue_a_package_once()
    {
        var p = await _station.SealAsync(50_000);
        var options = LayoutOptions("usb");
        var routes = options.Destinations.Select(d => (d.Name, d.Route)).ToArray();
        var a = new Outbox(_station.Data.OutboxDatabase, routes, TimeProvider.System);
        var b = new Outbox(_station.Data.OutboxDatabase, routes, TimeProvider.System);
        var results = await Task.WhenAll(a.EnqueueAsync(p.Path, null, CancellationToken.None), b.EnqueueAsync(p.Path, null, CancellationToken.None));
        Assert.Single(results, r => r.Outcome == EnqueueOutcome.Enqueued);
        Assert.Single(results, r => r.Outcome == EnqueueOutcome.AlreadyQueued);
        Assert.Single(await a.ListAsync(CancellationToken.None));
    }
}
