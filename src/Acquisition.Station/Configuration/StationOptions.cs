using Acquisition.Core.Hardware;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Cases;

namespace Acquisition.Station.Configuration;

/// <summary>The "Station" section: identity, where data lives and where the hardware comes from.</summary>
public sealed class StationOptions
{
    public const string Section = "Station";

    /// <summary>Printed on every package and audit entry; letters, digits, '-' and '_' only.</summary>
    public string StationId { get; set; } = "";

    /// <summary>IANA time zone for local times shown to operators (everything stored is UTC).</summary>
    public string TimeZone { get; set; } = "Etc/UTC";

    /// <summary>Absolute path of the data directory (see DataDirectory for the layout).</summary>
    public string DataDirectory { get; set; } = "/var/lib/acquisition-station";

    public HardwareProfile Hardware { get; set; } = HardwareProfile.Real;

    /// <summary>BCM GPIO numbers of the operator panel; shared with the simulator's GPIO driver.</summary>
    public PinMap Pins { get; set; } = new();

    // The workflow's own sections live under Station (bound and validated by the capture composition); they are
    // declared here so the configuration shape check knows their keys instead of refusing them as typos.

    /// <summary>"Station:Capture": how captures run (load position, safe Z, clock and calibration policy).</summary>
    public CaptureOptions Capture { get; set; } = new();

    /// <summary>"Station:Case": the case preset (e.g. the demo case) used until one is set through PUT /case.</summary>
    public CaseContextOptions Case { get; set; } = new();

    /// <summary>Validity per calibration kind, expiry warning, reference verification (bound where they are used).</summary>
    public Acquisition.Workflow.Calibration.CalibrationOptions Calibration { get; set; } = new();
}
