namespace Acquisition.Station.Web;

/// <summary>
/// A value read by the serial barcode scanner. When it is not a valid case number, <paramref name="ErrorKey"/> is the
/// page string that says why (with <paramref name="ErrorArgument"/>), so each page shows it in its own language.
/// </summary>
public sealed record BarcodeScanView(string Value, bool Valid, string? ErrorKey, string? ErrorArgument);
