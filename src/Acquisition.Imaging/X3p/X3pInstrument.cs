namespace Acquisition.Imaging.X3p;

/// <summary>The Record2 instrument block: who built the measuring device and what software wrote the file.</summary>
public sealed record X3pInstrument(string Manufacturer, string Model, string Serial, string Version);
