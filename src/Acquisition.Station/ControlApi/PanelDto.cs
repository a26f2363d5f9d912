namespace Acquisition.Station.ControlApi;

/// <summary>Door "closed"/"open", casing present (null without a sensor), motors, and the LED pattern shown.</summary>
public sealed record PanelDto(string Door, bool? CasingPresent, bool MotorsEnabled, string Indicator);
