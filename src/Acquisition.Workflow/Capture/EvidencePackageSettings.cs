namespace Acquisition.Workflow.Capture;

/// <summary>Who made the measurements, as written into every X3P's Record2.</summary>
public sealed record EvidencePackageSettings(
    string StationId,
    string InstrumentManufacturer = "Acquisition project",
    string InstrumentModel = "Focus-variation casing station",
    string InstrumentSerial = "unset");
