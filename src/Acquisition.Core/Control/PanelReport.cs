namespace Acquisition.Core.Control;

/// <summary>The operator panel: door "closed"/"open", casing present (null without a sensor), motors, LED pattern.</summary>
public sealed record PanelReport(string Door, bool? CasingPresent, bool MotorsEnabled, string Indicator);
