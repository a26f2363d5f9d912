using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace Acquisition.Uplink.Tests;

/// <summary>
/// Kills a real uplink process with SIGKILL again and again, at seeded checkpoints inside the outbox and upload code
/// and at seeded random moments, while it uploads 32 captures to a real registry; then lets it finish and checks
/// what the correlation server would see.
/// </summary>
[Collection("registry")]
public sealed class CrashTests(ITestOutputHelper output) : RegistryTestBase
{
    private const int Seed = 20261123;
    private const int Captures = 32;
    private const int Chunk = 256 * 1024;
    private const int KillsWanted = 32;

    // The largest package file SealAsync makes here (45 % of at most 1.4 MB): the most one blob restart re-sends.
    private const long LargestBlob = 630_000;

    // Enqueue checkpoints fire only while packages are new, so they are used in the first runs only.
    private static readonly string[] EnqueueCheckpoints = ["enqueue.before-commit", "enqueue.after-commit"];

    private static readonly string[] Checkpoints =
    [
        "delivery.marked-uploading", "blob.after-post", "blob.after-post-saved",
        "blob.before-patch", "blob.after-patch", "blob.after-patch-saved", "blob.before-put", "blob.after-put",
        "blob.skipped-existing", "manifest.before-put", "manifest.after-put", "delivery.verified", "delivery.marked",
    ];

    [Fact]
    public async Task Thirty_two_uploads_survive_repeated_sigkill_with_identical_manifests_and_no_duplicates()
    {
        var rng = new Random(Seed);
        var expected = new Dictionary<string, string>();
        for (var i = 0; i < Captures; i++)
        {
            var p = await Station.SealAsync(rng.Next(600_000, 1_400_000), seed: i);
            expected[p.CaptureId] = (await OciArtifact.FromPackageAsync(p.Path, CancellationToken.None)).ManifestDigest;
        }

        var kills = 0;
        var runs = 0;
        var finished = false;
        var ledger = new ResendLedger();
        var resentPerKill = new List<(string Kill, long Resent)>();
        string? previousKill = null;
        for (var run = 0; run < 120 && !finished && kills < KillsWanted; run++)
        {
            var env = new Dictionary<string, string>();
            if (run < EnqueueCheckpoints.Length)
            {
                env["ACQ_KILL_AT"] = EnqueueCheckpoints[run] + ":" + rng.Next(2, 8).ToString(CultureInfo.InvariantCulture);
            }
            else if (run % 4 == 3)
            {
                env["ACQ_KILL_AFTER_MS"] = rng.Next(200, 1500).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                // Chunk checkpoints are hit once per PATCH: later hits land inside the packages' multi-chunk blobs.
                var checkpoint = Checkpoints[run % Checkpoints.Length];
                var hit = checkpoint.Contains("patch", StringComparison.Ordinal) ? rng.Next(3, 9) : rng.Next(1, 3);
                env["ACQ_KILL_AT"] = checkpoint + ":" + hit.ToString(CultureInfo.InvariantCulture);
            }
            var (code, log) = await RunChildAsync(env);
            runs++;
            var resent = SendLines(log).Sum(l => ledger.Record(l.Digest, l.Offset, l.Length));
            if (previousKill is not null)
            {
                resentPerKill.Add((previousKill, resent));
            }
            else
            {
                Assert.True(resent == 0, $"run {run} re-sent {resent} bytes without a kill before it");
            }
            previousKill = code == 0 ? null : KillPoint(env, log);
            if (code == 0)
            {
                finished = log.Contains("DONE", StringComparison.Ordinal);
                if (finished && kills < KillsWanted)
                {
                    // On a quiet machine the uploads can finish before enough kills have landed: queue more work
                    // rather than let the kill count depend on how fast this machine is.
                    for (var i = 0; i < 4; i++)
                    {
                        var more = await Station.SealAsync(rng.Next(600_000, 1_400_000), seed: expected.Count + 1000);
                        expected[more.CaptureId] = (await OciArtifact.FromPackageAsync(more.Path, CancellationToken.None)).ManifestDigest;
                    }
                    finished = false;
                }
            }
            else
            {
                Assert.True(code == 137 || code == -9 || log.Contains("KILL", StringComparison.Ordinal), $"child exited {code} without being killed: {log}");
                kills++;
            }
            output.WriteLine($"run {run}: {string.Join(' ', env.Select(e => e.Key + "=" + e.Value))} -> exit {code}");
        }
        if (!finished)
        {
            var (code, log) = await RunChildAsync([]);
            Assert.True(code == 0, $"the final undisturbed run failed ({code}): {log}");
            var resent = SendLines(log).Sum(l => ledger.Record(l.Digest, l.Offset, l.Length));
            if (previousKill is not null)
            {
                resentPerKill.Add((previousKill, resent));
            }
        }
        output.WriteLine($"{kills} kills in {runs} runs");
        ReportResends(ledger, resentPerKill);
        // A kill between requests costs nothing: the stored upload URL is the server's latest and its GET answers
        // the offset. A kill inside a PATCH (its body on the wire, or the registry's answer not yet stored) leaves
        // distribution holding more bytes than the stored URL's signed _state says, and distribution then cancels
        // the session on the next request with that URL: that blob restarts (see docs/uplink.md, "Resume cost").
        foreach (var (kill, resent) in resentPerKill)
        {
            var bound = InsidePatch(kill) ? LargestBlob : Chunk;
            Assert.True(resent <= bound, $"a kill at {kill} cost {resent} re-sent bytes, more than {bound}");
        }
        Assert.True(kills >= 30, $"only {kills} kills happened before the uploads were done");

        using var rig = new UplinkRig(Station, UplinkRig.Options1(UplinkRig.RegistryDestination("national", Registry.Url, "crash/captures")));
        var deliveries = await rig.Outbox.ListAsync(CancellationToken.None);
        Assert.Equal(expected.Count, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryState.Delivered, d.State));
        var client = rig.Registry("national").Client;
        var tags = await client.ListTagsAsync(CancellationToken.None);
        Assert.Equal(expected.Keys.Order(), tags.Order());
        foreach (var d in deliveries)
        {
            // Recorded at enqueue, recomputed independently from the package, and read back from the server.
            Assert.Equal(expected[d.CaptureId], d.OciManifestDigest);
            Assert.Equal(expected[d.CaptureId], d.VerifiedDigest);
            Assert.Empty(await UplinkRig.VerifyOnServerAsync(client, d.CaptureId, expected[d.CaptureId]));
            using var m = JsonDocument.Parse((await client.GetManifestAsync(d.CaptureId, CancellationToken.None))!);
            Assert.Equal(d.CaptureId, m.RootElement.GetProperty("annotations").GetProperty(OciMediaTypes.CaptureIdAnnotation).GetString());
        }
        Assert.Equal(tags.Count, expected.Values.Distinct().Count());
    }

    /// <summary>Kills that can land while a PATCH is in flight or before its answer is stored.</summary>
    private static bool InsidePatch(string kill) => kill is "blob.after-patch" or "timer";

    private static string KillPoint(Dictionary<string, string> env, string log) =>
        env.TryGetValue("ACQ_KILL_AT", out var at) && log.Contains("KILL " + at[..at.LastIndexOf(':')], StringComparison.Ordinal)
            ? at[..at.LastIndexOf(':')]
            : "timer";

    private static IEnumerable<(string Digest, long Offset, int Length)> SendLines(string log) =>
        log.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("SEND ", StringComparison.Ordinal)).Select(l =>
        {
            var p = l.Split(' ');
            return (p[1], long.Parse(p[2], CultureInfo.InvariantCulture), int.Parse(p[3], CultureInfo.InvariantCulture));
        });

    private void ReportResends(ResendLedger ledger, List<(string Kill, long Resent)> perKill)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"chunk {Chunk} B; sent {ledger.TotalSent} B, re-sent {ledger.TotalResent} B ({100.0 * ledger.TotalResent / Math.Max(1, ledger.TotalSent):F1} %) over {perKill.Count} kills"));
        foreach (var g in perKill.GroupBy(k => k.Kill).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var r = g.Select(k => k.Resent).ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  kill at {g.Key,-26} n={r.Length,2}  re-sent max {r.Max(),8} B ({r.Max() / (double)Chunk:F2} chunks)  mean {r.Average(),10:F0} B  zero in {r.Count(x => x == 0)}"));
        }
    }

    private async Task<(int Code, string Log)> RunChildAsync(Dictionary<string, string> env)
    {
        var assembly = typeof(CrashHarness).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet", [assembly])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment[CrashHarness.HarnessVariable] = "1";
        psi.Environment["ACQ_DATA"] = Station.Root;
        psi.Environment["ACQ_REGISTRY"] = Registry.Url.AbsoluteUri;
        psi.Environment["ACQ_CHUNK"] = Chunk.ToString(CultureInfo.InvariantCulture);
        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return (p.ExitCode, await stdout + await stderr);
    }
}
