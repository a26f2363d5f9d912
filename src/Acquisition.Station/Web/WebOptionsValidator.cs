using System.Globalization;
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
        if (options.LiveViewLightSegments.Any(seg => seg is < 0 or > 31))
        {
            failures.Add($"Web:LiveViewLightSegments = [{string.Join(", ", options.LiveViewLightSegments)}]: ring segments are 0–31 (the ring light's segment numbers); leave it empty to use the recipe's overview lighting.");
        }
        if (options.LiveViewLightIntensity is < 0 or > 1 || options.LiveViewLightCoaxial is < 0 or > 1)
        {
            failures.Add($"Web:LiveViewLightIntensity = {options.LiveViewLightIntensity}, Web:LiveViewLightCoaxial = {options.LiveViewLightCoaxial}: intensities are 0–1.");
        }
        if (options.LiveViewLightIdle < TimeSpan.FromSeconds(1) || options.LiveViewLightIdle > TimeSpan.FromHours(1))
        {
            failures.Add($"Web:LiveViewLightIdle = {options.LiveViewLightIdle}: must be 1 s – 1 h.");
        }
        if (options.LiveViewMaxFramesPerSecond is <= 0 or > 15)
        {
            failures.Add($"Web:LiveViewMaxFramesPerSecond = {options.LiveViewMaxFramesPerSecond}: must be above 0 and at most 15.");
        }
        else if (options.LiveViewExposure < TimeSpan.FromMilliseconds(0.01) || options.LiveViewExposure > TimeSpan.FromMilliseconds(500)
            || options.LiveViewExposure.TotalSeconds > 1 / options.LiveViewMaxFramesPerSecond)
        {
            // A frame cannot expose for longer than the live view's frame period.
            failures.Add(string.Create(CultureInfo.InvariantCulture,
                $"Web:LiveViewExposure = {options.LiveViewExposure}: must be 00:00:00.00001 – 00:00:00.5 and no longer than one live-view frame period ({1000 / options.LiveViewMaxFramesPerSecond:0.###} ms at Web:LiveViewMaxFramesPerSecond = {options.LiveViewMaxFramesPerSecond})."));
        }
        if (!string.IsNullOrEmpty(options.CertificateFile) && !File.Exists(options.CertificateFile))
        {
            failures.Add($"Web:CertificateFile '{options.CertificateFile}' does not exist; give a PFX file or leave it empty for a self-signed certificate.");
        }
        if (options.BarcodeScannerBaudRate is < 1200 or > 921600)
        {
            failures.Add($"Web:BarcodeScannerBaudRate = {options.BarcodeScannerBaudRate}: must be 1200–921600 (scanners usually use 9600 or 115200).");
        }
        if (options.PinMaxAttempts is < 1 or > 20)
        {
            failures.Add($"Web:PinMaxAttempts = {options.PinMaxAttempts}: must be 1–20 wrong PINs before an operator id is locked.");
        }
        if (options.PinLockout < TimeSpan.FromMinutes(1) || options.PinLockout > TimeSpan.FromDays(1))
        {
            failures.Add($"Web:PinLockout = {options.PinLockout}: must be between 00:01:00 and 1.00:00:00.");
        }
        if (string.IsNullOrWhiteSpace(options.OperatorsFile))
        {
            failures.Add("Web:OperatorsFile is empty; name the operator accounts file (e.g. operators.json in the data directory).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
