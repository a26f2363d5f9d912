namespace Acquisition.Station.Configuration;

/// <summary>The "Uplink" section: where sealed packages are pushed.</summary>
public sealed class UplinkOptions
{
    public const string Section = "Uplink";

    public List<UplinkDestination> Destinations { get; set; } = [];
}
