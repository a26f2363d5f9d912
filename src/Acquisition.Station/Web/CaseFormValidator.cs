using System.Globalization;
using System.Text.RegularExpressions;
using Acquisition.Core.Domain;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Station.Web;

/// <summary>
/// Checks the posted case field by field, so each message can be shown next to its field in the operator's
/// language. The workflow's CaseContextValidator runs again when the case is stored: this only adds the field mapping
/// and the lab's barcode rules.
/// </summary>
public sealed class CaseFormValidator(CalibreTable calibres, WebOptions options, TimeProvider time, WebStrings strings)
{
    public (CaseContext? Case, IReadOnlyDictionary<string, string> Errors) Validate(CaseForm form, string operatorId, string language)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        string? Text(string field, string? value, bool required = true)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                if (required)
                {
                    errors[field] = strings.Format(language, "err.required");
                }
                return null;
            }
            if (value.Length > CaseContextValidator.MaxFieldLength)
            {
                errors[field] = strings.Format(language, "err.tooLong", CaseContextValidator.MaxFieldLength);
            }
            else if (value.Any(char.IsControl) || value != value.Trim())
            {
                errors[field] = strings.Format(language, "err.chars");
            }
            return value;
        }

        var agency = Text("agency", form.Agency);
        if (agency is not null && !errors.ContainsKey("agency") && (agency.Length is < 2 or > 20 || !agency.All(char.IsAsciiLetterOrDigit)))
        {
            errors["agency"] = strings.Format(language, "err.agency");
        }
        var caseNumber = Text("caseNumber", form.CaseNumber);
        if (caseNumber is not null && !errors.ContainsKey("caseNumber") && CaseNumberProblem(caseNumber, options) is { } problem)
        {
            errors["caseNumber"] = strings.Format(language, problem.Key, problem.Argument ?? "");
        }
        var exhibit = Text("exhibit", form.Exhibit);
        var item = Text("item", form.Item);
        var calibre = Text("calibre", form.Calibre);
        if (calibre is not null && !errors.ContainsKey("calibre"))
        {
            if (calibres.TryFind(calibre, out var entry))
            {
                calibre = entry.Name;
            }
            else
            {
                var close = calibres.CloseMatches(calibre);
                errors["calibre"] = close.Count > 0
                    ? strings.Format(language, "err.calibreSuggest", string.Join(", ", close))
                    : strings.Format(language, "err.calibre");
            }
        }
        DateOnly? recovered = null;
        if (!string.IsNullOrWhiteSpace(form.RecoveryDate))
        {
            // <input type=date> always posts ISO yyyy-MM-dd whatever the display locale.
            if (DateOnly.TryParseExact(form.RecoveryDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                if (d > DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime.AddDays(1)))
                {
                    errors["recoveryDate"] = strings.Format(language, "err.dateFuture");
                }
                recovered = d;
            }
            else
            {
                errors["recoveryDate"] = strings.Format(language, "err.date");
            }
        }
        var location = Text("recoveryLocation", form.RecoveryLocation, required: false);
        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new CaseContext
        {
            Agency = agency!.ToUpperInvariant(),
            CaseNumber = caseNumber!,
            Exhibit = exhibit!,
            Item = item!,
            Calibre = calibre!,
            OperatorId = operatorId,
            RecoveryDate = recovered,
            RecoveryLocation = string.IsNullOrWhiteSpace(location) ? null : location,
            SearchProtocol = new SearchProtocolFlags(form.RecoveredNearBorder, form.RecoveredByCustomsOrBorder,
                form.FromSuspectedTrafficker, form.TerrorismRelated, form.FromForeignResident),
        }, errors);
    }

    /// <summary>
    /// The lab's rules for a case number (typed or scanned): its pattern, then its check digit. Null when it passes;
    /// otherwise the page string key that explains it (and its argument).
    /// </summary>
    public static (string Key, string? Argument)? CaseNumberProblem(string caseNumber, WebOptions options)
    {
        if (!string.IsNullOrEmpty(options.CaseNumberPattern)
            && !Regex.IsMatch(caseNumber, "^(?:" + options.CaseNumberPattern + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
        {
            return ("err.pattern", options.CaseNumberPattern);
        }
        return CheckDigits.IsValid(caseNumber, options.CaseNumberCheckDigit) ? null : ("err.checkDigit", null);
    }
}
