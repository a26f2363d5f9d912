using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

public sealed class WebOptionsValidator : IValidateOptions<WebOptions>
{
    public ValidateOptionsResult Validate(string? name, WebOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"Web:Port = {options.Port}: must be 0–65535 (0 picks a free port).");
        }
        if (!string.IsNullOrEmpty(options.CaseNumberPattern))
        {
            try
            {
                _ = new Regex(options.CaseNumberPattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                failures.Add($"Web:CaseNumberPattern is not a valid regular expression: {ex.Message}");
            }
        }
        if (options.LiveViewMaxWidth is < 64 or > 1024)
        {
            failures.Add($"Web:LiveViewMaxWidth = {options.LiveViewMaxWidth}: must be 64–1024 px.");
        }
        if (options.LiveViewMaxFramesPerSecond is <= 0 or > 15)
        {
            failures.Add($"Web:LiveViewMaxFramesPerSecond = {options.LiveViewMaxFramesPerSecond}: must be above 0 and at most 15.");
        }
        if (!string.IsNullOrEmpty(options.CertificateFile) && !File.Exists(options.CertificateFile))
        {
            failures.Add($"Web:CertificateFile '{options.CertificateFile}' does not exist; give a PFX file or leave it empty for a self-signed certificate.");
        }
        if (string.IsNullOrWhiteSpace(options.OperatorsFile))
        {
            failures.Add("Web:OperatorsFile is empty; name the operator accounts file (e.g. operators.json in the data directory).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
