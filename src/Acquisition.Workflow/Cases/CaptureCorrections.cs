using System.Globalization;
using System.Text.Json;
using Acquisition.Core.Domain;
using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Cases;

/// <summary>
/// Corrections after sealing (issue 6 §4): a mistyped case field of a sealed capture is corrected by a new signed
/// supplement package that references the original (its capture id and manifest SHA-256); the original is never
/// touched. The corrected values pass the very rules a case passes when it is set (<see cref="CaseContextValidator"/>),
/// each correction is audited, and corrections of one capture are numbered 1, 2, ... in the order they were made.
/// Any sealed capture may be corrected, aborted and failed ones included: their packages are kept as evidence too,
/// and only the upload of a correction depends on the original having been queued for upload.
/// </summary>
public sealed class CaptureCorrections(DataDirectory data, DurableFileWriter writer, AuditLog audit, CalibreTable calibres, StationKeyStore keys, string stationId, TimeProvider time)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The corrections of <paramref name="captureId"/>, oldest first; throws <see cref="CaptureCorrectionException"/> for an unknown capture.</summary>
    public async Task<IReadOnlyList<CaptureCorrection>> ListAsync(string captureId, CancellationToken cancellationToken)
    {
        RequireOriginal(captureId);
        return await ListKnownAsync(captureId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Seals one correction of <paramref name="captureId"/>. <paramref name="newValues"/> maps capture.json case field
    /// names (<see cref="CorrectableCaseFields"/>) to their new value; an empty or null value clears an optional field.
    /// </summary>
    public async Task<CaptureCorrection> CorrectAsync(string captureId, IReadOnlyDictionary<string, string?> newValues, string reason, string user,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newValues);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var originalPath = RequireOriginal(captureId);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(reason))
        {
            problems.Add("the reason is empty: say why the field is corrected (it is part of the evidence record)");
        }
        if (newValues.Count == 0)
        {
            problems.Add($"no field is given: name at least one of {string.Join(", ", CorrectableCaseFields.All)} with its new value");
        }
        foreach (var field in newValues.Keys.Where(f => !CorrectableCaseFields.IsCorrectable(f)))
        {
            problems.Add($"'{field}' cannot be corrected: only the case fields {string.Join(", ", CorrectableCaseFields.All)} can (measurement data, the calibre, the operator and the search-protocol flags cannot; a wrong calibre needs a new capture)");
        }
        Invalid(problems);

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var trusted = keys.HasKey ? keys.TrustedKeyIds() : null;
            var check = await PackageVerifier.VerifyAsync(originalPath, trusted, cancellationToken).ConfigureAwait(false);
            if (!check.IsValid)
            {
                throw new CaptureCorrectionException(CaptureCorrectionFailure.OriginalDoesNotVerify,
                    [$"the sealed package {captureId} does not verify ({check}); it is not corrected. Report it: acq verify package {originalPath}"]);
            }
            var prior = await ListKnownAsync(captureId, cancellationToken).ConfigureAwait(false);
            var current = await ReadCaseAsync(originalPath, cancellationToken).ConfigureAwait(false);
            foreach (var c in prior.SelectMany(p => p.Record.Changes))
            {
                current[c.Field] = c.NewValue;
            }
            var requested = new Dictionary<string, string?>(current, StringComparer.Ordinal);
            foreach (var (field, value) in newValues)
            {
                requested[field] = string.IsNullOrEmpty(value) ? null : value;
            }
            var validated = Validate(requested);
            var changes = new List<FieldCorrection>();
            foreach (var field in CorrectableCaseFields.All.Where(newValues.ContainsKey))
            {
                var old = current.GetValueOrDefault(field);
                var now = validated[field];
                if (string.Equals(old, now, StringComparison.Ordinal))
                {
                    problems.Add($"{field} already is '{old}': nothing to correct");
                }
                changes.Add(new FieldCorrection(field, old, now));
            }
            Invalid(problems);

            var at = time.GetUtcNow();
            var correctionId = Ulid.NewUlid(at).ToString();
            var record = new CorrectionRecord(correctionId, captureId, await CorrectionVerifier.ManifestSha256Async(originalPath, cancellationToken).ConfigureAwait(false),
                prior.Count + 1, changes, reason.Trim(), user, at);
            Invalid([.. record.Problems()]);
            var builder = PackageBuilder.Begin(data, correctionId, stationId, writer, time, supplementOf: captureId);
            SealedPackage sealedPackage;
            using (var key = await keys.GetOrCreateSigningKeyAsync(cancellationToken).ConfigureAwait(false))
            {
                sealedPackage = await builder.SealCorrectionAsync(record, key, cancellationToken).ConfigureAwait(false);
            }
            await audit.AppendAsync(user, "capture.corrected", new
            {
                captureId,
                correctionId,
                record.Sequence,
                changes = changes.Select(c => new { c.Field, c.OldValue, c.NewValue }).ToArray(),
                record.Reason,
                originalManifestSha256 = record.OriginalManifestSha256,
                manifestSha256 = sealedPackage.ManifestSha256,
            }, CancellationToken.None).ConfigureAwait(false);
            return new CaptureCorrection(sealedPackage.Path, sealedPackage.ManifestSha256, record);
        }
        finally
        {
            _gate.Release();
        }
    }

    private string RequireOriginal(string captureId)
    {
        if (!PackagePaths.IsCaptureId(captureId))
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.Invalid, [$"'{captureId}' is not a capture id: a capture id is a 26-character ULID"]);
        }
        var path = Path.Combine(data.Packages, captureId);
        var manifestPath = Path.Combine(path, PackageFiles.Manifest);
        if (!File.Exists(manifestPath))
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.UnknownCapture, [$"there is no sealed package {captureId} in {data.Packages} (a refused capture writes none; one deleted by retention after delivery can no longer be corrected here)"]);
        }
        string? supplementOf;
        try
        {
            supplementOf = PackageManifest.Parse(File.ReadAllBytes(manifestPath)).SupplementOf;
        }
        catch (FormatException ex)
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.OriginalDoesNotVerify, [$"package {captureId} has an unreadable manifest.json ({ex.Message})"]);
        }
        if (supplementOf is not null)
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.Invalid, [$"{captureId} is itself a correction of {supplementOf}: correct the original capture {supplementOf}"]);
        }
        return path;
    }

    /// <summary>Supplements of the capture, by sequence. Corrections are made after their original, so only later ULIDs are read.</summary>
    private async Task<IReadOnlyList<CaptureCorrection>> ListKnownAsync(string captureId, CancellationToken cancellationToken)
    {
        var found = new List<CaptureCorrection>();
        foreach (var dir in Directory.EnumerateDirectories(data.Packages).Where(d => string.CompareOrdinal(Path.GetFileName(d), captureId) > 0))
        {
            var manifestPath = Path.Combine(dir, PackageFiles.Manifest);
            var correctionPath = Path.Combine(dir, PackageFiles.Correction);
            if (!PackagePaths.IsCaptureId(Path.GetFileName(dir)) || !File.Exists(correctionPath) || !File.Exists(manifestPath))
            {
                continue;
            }
            try
            {
                var manifest = PackageManifest.Parse(await File.ReadAllBytesAsync(manifestPath, cancellationToken).ConfigureAwait(false));
                if (manifest.SupplementOf != captureId)
                {
                    continue;
                }
                var record = CorrectionRecord.Parse(await File.ReadAllBytesAsync(correctionPath, cancellationToken).ConfigureAwait(false));
                found.Add(new CaptureCorrection(dir, await CorrectionVerifier.ManifestSha256Async(dir, cancellationToken).ConfigureAwait(false), record));
            }
            catch (FormatException ex)
            {
                throw new CaptureCorrectionException(CaptureCorrectionFailure.OriginalDoesNotVerify,
                    [$"the supplement {Path.GetFileName(dir)} of {captureId} is unreadable ({ex.Message}); check it with acq verify package {dir}"]);
            }
        }
        return [.. found.OrderBy(c => c.Record.Sequence)];
    }

    /// <summary>The case fields of capture.json (names as there), plus the ones the validator needs.</summary>
    private static async Task<Dictionary<string, string?>> ReadCaseAsync(string packagePath, CancellationToken cancellationToken)
    {
        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(packagePath, PackageFiles.Capture), cancellationToken).ConfigureAwait(false));
        if (!doc.RootElement.TryGetProperty("case", out var c) || c.ValueKind != JsonValueKind.Object)
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.Invalid, ["capture.json of this package has no case; there is nothing to correct"]);
        }
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in c.EnumerateObject())
        {
            values[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null;
        }
        return values;
    }

    /// <summary>Runs the case rules over the corrected case and answers the values in their canonical form.</summary>
    private Dictionary<string, string?> Validate(Dictionary<string, string?> v)
    {
        DateOnly? recoveryDate = null;
        if (v.GetValueOrDefault(CorrectableCaseFields.RecoveryDate) is { } dateText)
        {
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                throw new CaptureCorrectionException(CaptureCorrectionFailure.Invalid, [$"recoveryDate '{dateText}' is not a date: write it as yyyy-MM-dd, e.g. 2026-11-02"]);
            }
            recoveryDate = d;
        }
        CaseContext valid;
        try
        {
            valid = CaseContextValidator.Validate(new CaseContext
            {
                Agency = v.GetValueOrDefault("agency") ?? "",
                CaseNumber = v.GetValueOrDefault("caseNumber") ?? "",
                Exhibit = v.GetValueOrDefault("exhibit") ?? "",
                Item = v.GetValueOrDefault("item") ?? "",
                Calibre = v.GetValueOrDefault("calibre") ?? "",
                OperatorId = v.GetValueOrDefault("operatorId") ?? "",
                RecoveryDate = recoveryDate,
                RecoveryLocation = v.GetValueOrDefault(CorrectableCaseFields.RecoveryLocation),
            }, calibres);
        }
        catch (CaseValidationException ex)
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.Invalid, ex.Problems);
        }
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            [CorrectableCaseFields.Agency] = valid.Agency,
            [CorrectableCaseFields.CaseNumber] = valid.CaseNumber,
            [CorrectableCaseFields.Exhibit] = valid.Exhibit,
            [CorrectableCaseFields.Item] = valid.Item,
            [CorrectableCaseFields.RecoveryDate] = valid.RecoveryDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            [CorrectableCaseFields.RecoveryLocation] = valid.RecoveryLocation,
        };
    }

    private static void Invalid(IReadOnlyList<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new CaptureCorrectionException(CaptureCorrectionFailure.Invalid, problems);
        }
    }
}
