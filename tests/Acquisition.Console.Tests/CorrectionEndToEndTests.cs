using System.Security.Cryptography;
using Acquisition.Packaging;

namespace Acquisition.Console.Tests;

/// <summary>
/// Issue 6 §4 through the real acq and the real daemon: a mistyped case number of a sealed capture is corrected by a
/// signed supplement that references the original, which stays byte for byte as sealed.
/// </summary>
public sealed class CorrectionEndToEndTests(SealedCaptureDaemon station) : IClassFixture<SealedCaptureDaemon>
{
    private static Dictionary<string, string> Hashes(string dir) => Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
        .ToDictionary(f => f, f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f))));

    [Fact]
    public async Task Correct_seals_a_verifiable_supplement_names_the_peer_user_lists_it_and_leaves_the_original_untouched()
    {
        var before = Hashes(station.PackagePath);
        // The uplink's start-up scan queues the sealed capture; wait for it (each poll a whole acq process, no sleeping).
        AcqResult shown = null!;
        for (var i = 0; i < 100; i++)
        {
            shown = await station.AcqAsync("outbox", "show", SealedCaptureDaemon.CaptureId, "--json");
            if (shown.ExitCode == 0)
            {
                break;
            }
        }
        Assert.True(shown.ExitCode == 0, shown.ToString());

        var correct = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "caseNumber=2026-0142",
            "--field", "recoveryLocation=Main St 4", "--reason", "case number mistyped at the bench", "--json");
        Assert.True(correct.ExitCode == 0, correct.ToString());
        var report = correct.Json();
        Assert.Equal(1, report.GetProperty("sequence").GetInt32());
        Assert.Equal(Environment.UserName, report.GetProperty("operator").GetString());
        var changes = report.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("field").GetString()!);
        Assert.Equal(SealedCaptureDaemon.CaseNumber, changes["caseNumber"].GetProperty("oldValue").GetString());
        Assert.Equal("2026-0142", changes["caseNumber"].GetProperty("newValue").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, changes["recoveryLocation"].GetProperty("oldValue").ValueKind);
        var correctionId = report.GetProperty("correctionId").GetString()!;
        // The original was queued by the uplink's start-up scan, so the correction is queued behind it.
        Assert.Equal(System.Text.Json.JsonValueKind.Null, report.GetProperty("uploadNote").ValueKind);
        Assert.Contains(report.GetProperty("upload").EnumerateArray(), u => u.GetProperty("destination").GetString() == "local");

        var supplement = Path.Combine(station.DataDirectory, "packages", correctionId);
        var verification = await CorrectionVerifier.VerifyAsync(supplement, Path.Combine(station.DataDirectory, "packages"),
            new StationKeyStore(new Acquisition.Core.Storage.DataDirectory(station.DataDirectory), TimeProvider.System).TrustedKeyIds(), CancellationToken.None);
        Assert.True(verification.IsValid, verification.ToString());
        Assert.Equal(before, Hashes(station.PackagePath));

        // A second correction starts from the corrected value.
        var again = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "caseNumber=2026-0143", "--reason", "second typo", "--json");
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(2, again.Json().GetProperty("sequence").GetInt32());
        Assert.Equal("2026-0142", again.Json().GetProperty("changes")[0].GetProperty("oldValue").GetString());

        var list = await station.AcqAsync("capture", "corrections", SealedCaptureDaemon.CaptureId, "--json");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Equal([1, 2], list.Json().EnumerateArray().Select(c => c.GetProperty("sequence").GetInt32()).ToArray());
        var table = await station.AcqAsync("capture", "corrections", SealedCaptureDaemon.CaptureId);
        Assert.Contains("2026-0143", table.Stdout);

        var audit = await AcqProcess.RunAsync("audit", "show", "--data", station.DataDirectory, "--action", "capture.corrected", "--json");
        Assert.Contains(correctionId, audit.Stdout);
        Assert.Contains(Environment.UserName, audit.Stdout);
        Assert.Equal(before, Hashes(station.PackagePath));
    }

    [Fact]
    public async Task Measurement_fields_invalid_values_unknown_captures_and_an_empty_reason_are_refused_with_their_exit_codes()
    {
        var calibre = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "calibre=.380 Auto", "--reason", "typo");
        Assert.Equal(4, calibre.ExitCode);
        Assert.Contains("'calibre' cannot be corrected", calibre.Stdout + calibre.Stderr);

        // The station's case rules, the same PUT /case applies: an ORI is letters and digits.
        var agency = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "agency=TX-22", "--reason", "typo", "--json");
        Assert.Equal(4, agency.ExitCode);
        Assert.Contains("agency identifier (ORI)", agency.Stdout);

        var date = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "recoveryDate=02/11/2026", "--reason", "typo");
        Assert.Equal(4, date.ExitCode);
        Assert.Contains("yyyy-MM-dd", date.Stdout + date.Stderr);

        var unknown = await station.AcqAsync("capture", "corrections", "01JD3Q4V6Z8KXW3N9M2T5R7B1D", "--json");
        Assert.Equal(4, unknown.ExitCode);
        Assert.Contains("no sealed package", unknown.Stdout);

        var noReason = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "item=B", "--reason", " ");
        Assert.Equal(2, noReason.ExitCode);
        var badField = await station.AcqAsync("capture", "correct", SealedCaptureDaemon.CaptureId, "--field", "item", "--reason", "typo");
        Assert.Equal(2, badField.ExitCode);

        // Nothing refused left a package behind: only the original and any corrections the other test sealed.
        foreach (var dir in Directory.GetDirectories(Path.Combine(station.DataDirectory, "packages")).Where(d => !d.EndsWith(SealedCaptureDaemon.CaptureId, StringComparison.Ordinal)))
        {
            Assert.True(File.Exists(Path.Combine(dir, PackageFiles.Correction)), dir);
            Assert.DoesNotContain("TX-22", await File.ReadAllTextAsync(Path.Combine(dir, PackageFiles.Correction)));
        }
    }
}
