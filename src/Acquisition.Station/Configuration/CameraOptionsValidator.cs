using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public sealed class CameraOptionsValidator : IValidateOptions<CameraOptions>
{
    private const string S = CameraOptions.Section;

    public ValidateOptionsResult Validate(string? name, CameraOptions o)
    {
        var f = new ValidationFailures();
        if (string.IsNullOrWhiteSpace(o.Device)
            || !(o.Device.StartsWith("/dev/", StringComparison.Ordinal) || o.Device.All(char.IsAsciiDigit)))
        {
            f.Add($"{S}:Device", o.Device, "a V4L2 device path under /dev (normally /dev/camera) or a device index such as 0.");
        }
        if (o.Width is < 64 or > 16384)
        {
            f.Add($"{S}:Width", o.Width, "64–16384 pixels.");
        }
        if (o.Height is < 64 or > 16384)
        {
            f.Add($"{S}:Height", o.Height, "64–16384 pixels.");
        }
        if (!Enum.IsDefined(o.PixelFormat))
        {
            f.Add($"{S}:PixelFormat", o.PixelFormat.ToString(), "one of " + string.Join(", ", Enum.GetNames<Core.Hardware.PixelFormat>()) + ".");
        }
        return f.ToResult();
    }
}
