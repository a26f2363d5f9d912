using System.CommandLine;
using System.Text.Json;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.ServiceConsole.Cli;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq verify package &lt;path&gt;: the manifest hashes, the file list and the signature, offline; a correction also against its original.</summary>
internal static class VerifyPackageCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var path = new Argument<DirectoryInfo>("path") { Description = "The package directory (packages/<captureId>/ on a station, or a copy on removable media)." };
        var trust = new Option<string[]>("--trust")
        {
            Description = "A trusted signer: a key id (sha256:<hex>) or a PEM public-key file. Repeatable. The package must be signed by one of them.",
            HelpName = "keyid|pem",
            AllowMultipleArgumentsPerToken = false,
        };
        var data = new Option<string?>("--data") { Description = "Trust this station's own keys: the current one and the key history in <dir>/keys/.", HelpName = "dir" };
        var command = new Command("package",
            "Verify an evidence package offline: every listed file's size and SHA-256, missing and unlisted files, and the ECDSA signature over manifest.json. " +
            "With --trust or --data it also checks that the signer is trusted. Lists every problem; exit 1 when any.")
        {
            path, trust, data,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var dir = inv.Get(path)!;
            if (!dir.Exists)
            {
                throw CliException.LocalFile($"{dir.FullName} is not a directory. Give the package directory (the one holding manifest.json).");
            }
            var trusted = TrustedKeyIds(inv.Get(trust) ?? [], inv.Get(data));
            // A correction supplement is checked against its original when the original sits next to it (packages/ on
            // a station, or a pulled pair of directories): same capture id, same signed manifest bytes.
            var supplementOf = ReadSupplementOf(dir.FullName);
            var originalChecked = supplementOf is not null && dir.Parent is not null && Directory.Exists(Path.Combine(dir.Parent.FullName, supplementOf));
            var result = originalChecked
                ? await CorrectionVerifier.VerifyAsync(dir.FullName, dir.Parent!.FullName, trusted, ct).ConfigureAwait(false)
                : await PackageVerifier.VerifyAsync(dir.FullName, trusted, ct).ConfigureAwait(false);
            var (captureId, fileCount) = ReadManifestSummary(dir.FullName);
            var signer = ReadSignerKeyId(dir.FullName);
            if (inv.Json)
            {
                inv.Output.WriteJson(new
                {
                    path = dir.FullName,
                    valid = result.IsValid,
                    captureId,
                    files = fileCount,
                    signerKeyId = signer,
                    signerTrustChecked = trusted is not null,
                    supplementOf,
                    originalChecked,
                    problems = result.Problems,
                });
            }
            else if (result.IsValid)
            {
                inv.Output.Line($"[green]VALID[/] package {Markup.Escape(captureId ?? "?")}: {fileCount} files match the manifest, signature verifies (signer {Markup.Escape(signer ?? "?")}).");
                if (supplementOf is not null)
                {
                    if (originalChecked)
                    {
                        inv.Output.Line(Markup.Escape($"It is a correction of {supplementOf}, which is next to it, verifies and has the referenced manifest."));
                    }
                    else
                    {
                        inv.Output.Warn($"it is a correction of {supplementOf}, which is not next to it ({Path.Combine(dir.Parent?.FullName ?? "", supplementOf)}): only the correction itself was verified.");
                    }
                }
                if (trusted is null)
                {
                    inv.Output.Warn("the signer was not checked against a trusted key: anyone can sign a package. Add --trust <keyid|pem> or --data <dir>.");
                }
            }
            else
            {
                inv.Output.Line($"[red]INVALID[/] package {Markup.Escape(dir.FullName)}: {result.Problems.Count} problem(s)");
                foreach (var p in result.Problems)
                {
                    inv.Output.Line("  - " + Markup.Escape(p));
                }
            }
            return result.IsValid ? ExitCodes.Ok : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static string? ReadSupplementOf(string dir)
    {
        try
        {
            return PackageManifest.Parse(File.ReadAllBytes(Path.Combine(dir, PackageFiles.Manifest))).SupplementOf;
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return null; // the verifier names what is wrong with the manifest
        }
    }

    private static IReadOnlyCollection<string>? TrustedKeyIds(string[] trust, string? dataDir)
    {
        if (trust.Length == 0 && dataDir is null)
        {
            return null;
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in trust)
        {
            if (t.StartsWith("sha256:", StringComparison.Ordinal))
            {
                if (t.Length != 71 || !t[7..].All(char.IsAsciiHexDigitLower))
                {
                    throw CliException.Usage($"--trust '{t}' is not a key id: a key id is 'sha256:' and 64 lowercase hex digits.");
                }
                ids.Add(t);
            }
            else if (File.Exists(t))
            {
                ids.Add(OfPemFile(t));
            }
            else
            {
                throw CliException.Usage($"--trust '{t}' is neither a key id (sha256:...) nor an existing PEM public-key file.");
            }
        }
        if (dataDir is not null)
        {
            var keys = new DataDirectory(dataDir).Keys;
            var files = new List<string>();
            var current = Path.Combine(keys, StationKeyStore.PublicKeyFileName);
            if (File.Exists(current))
            {
                files.Add(current);
            }
            var history = Path.Combine(keys, StationKeyStore.HistoryDirectoryName);
            if (Directory.Exists(history))
            {
                files.AddRange(Directory.EnumerateFiles(history, "*.pub.pem"));
            }
            if (files.Count == 0)
            {
                throw CliException.LocalFile($"No station public keys in {keys} (station.pub.pem, history/*.pub.pem). Is --data the station's data directory, and may you read keys/?");
            }
            foreach (var f in files)
            {
                ids.Add(OfPemFile(f));
            }
        }
        return ids;
    }

    private static string OfPemFile(string path)
    {
        try
        {
            return KeyIds.OfPem(File.ReadAllText(path));
        }
        catch (Exception ex) when (ex is ArgumentException or System.Security.Cryptography.CryptographicException or FormatException)
        {
            throw CliException.Usage($"{path} is not a PEM public key ({ex.Message}).");
        }
    }

    private static (string? CaptureId, int Files) ReadManifestSummary(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, PackageFiles.Manifest)));
            var id = doc.RootElement.TryGetProperty("captureId", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var files = doc.RootElement.TryGetProperty("files", out var f) && f.ValueKind == JsonValueKind.Array ? f.GetArrayLength() : 0;
            return (id, files);
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return (null, 0);
        }
    }

    private static string? ReadSignerKeyId(string dir)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, PackageFiles.Signer)));
            return doc.RootElement.TryGetProperty("keyId", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
