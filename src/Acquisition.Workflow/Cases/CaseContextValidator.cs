using Acquisition.Core.Domain;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Cases;

/// <summary>Checks a case before it is used and returns it with the calibre in its canonical spelling.</summary>
public static class CaseContextValidator
{
    public const int MaxFieldLength = 64;

    public static CaseContext Validate(CaseContext context, CalibreTable calibres)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problems = new List<string>();
        void Field(string name, string? value, bool required = true)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                if (required)
                {
                    problems.Add($"{name} is required");
                }
                return;
            }
            if (value.Length > MaxFieldLength)
            {
                problems.Add($"{name} is {value.Length} characters; at most {MaxFieldLength} are allowed");
            }
            if (value.Any(char.IsControl) || value != value.Trim())
            {
                problems.Add($"{name} '{value}' has control characters or leading/trailing spaces");
            }
        }
        Field("agency", context.Agency);
        Field("caseNumber", context.CaseNumber);
        Field("exhibit", context.Exhibit);
        Field("item", context.Item);
        Field("calibre", context.Calibre);
        Field("operatorId", context.OperatorId);
        Field("recoveryLocation", context.RecoveryLocation, required: false);
        if (!string.IsNullOrWhiteSpace(context.Agency) && (context.Agency.Length is < 2 or > 20 || !context.Agency.All(char.IsAsciiLetterOrDigit)))
        {
            problems.Add($"agency '{context.Agency}' must be the agency identifier (ORI): 2–20 letters and digits, e.g. TX2270000");
        }
        var calibre = context.Calibre;
        if (!string.IsNullOrWhiteSpace(calibre))
        {
            if (calibres.TryFind(calibre, out var entry))
            {
                calibre = entry.Name;
            }
            else
            {
                problems.Add(new UnknownCalibreException(calibre, calibres.CloseMatches(calibre)).Message);
            }
        }
        if (problems.Count > 0)
        {
            throw new CaseValidationException(problems);
        }
        return context with { Calibre = calibre, Agency = context.Agency.ToUpperInvariant() };
    }
}
