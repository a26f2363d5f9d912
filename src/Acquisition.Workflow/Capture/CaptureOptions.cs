using System.Globalization;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Capture;

/// <summary>"Station:Capture": how captures run on this station. Validated at start.</summary>
public sealed class CaptureOptions
{
    public string StationId { get; set; } = "station-01";

    /// <summary>Allow a capture when the kernel says the clock is not NTP-synchronised; the package then says so.</summary>
    public bool AllowUnsynchronisedClock { get; set; }

    /// <summary>Allow a capture with a missing or expired calibration; the package then names it.</summary>
    public bool AllowInvalidCalibration { get; set; }

    public List<CalibrationKind> RequiredCalibrations { get; set; } = [CalibrationKind.PixelSize, CalibrationKind.FlatField];

    /// <summary>Where a casing in the holder has its primer centre, nominally in focus (machine coordinates).</summary>
    public double LoadXMicrometres { get; set; }
    public double LoadYMicrometres { get; set; }
    public double LoadZMicrometres { get; set; }

    /// <summary>Z the stage retreats to on abort or fault (clear of the casing).</summary>
    public double SafeZMicrometres { get; set; }

    /// <summary>The primer centre must end within this of the optical axis.</summary>
    public double PrimerCentreToleranceMicrometres { get; set; } = 20;

    /// <summary>The detected primer diameter may differ from the calibre's by this fraction.</summary>
    public double PrimerDiameterTolerance { get; set; } = 0.10;

    public int MaxCentringIterations { get; set; } = 3;

    /// <summary>Autofocus gives up when the peak is not at least this many MADs above the curve's median.</summary>
    public double AutofocusMinPeakProminence { get; set; } = 3;

    /// <summary>
    /// The autofocus scores a centred square of this fraction of the calibre's primer diameter: the breech face, which
    /// the recipes' z-ranges are relative to. A wider window takes in the head face 40 µm above it, whose tarnish and
    /// headstamp can outscore the primer and pull the focus off the breech face. At 0.6 the square's corners lie
    /// 0.42 diameters from the centre, clear of the primer cup's rounded edge (its outer 120 µm on the simulator's
    /// casings) even with the primer off-centre by the centring tolerance; 0.65 (0.46 diameters) is the most allowed.
    /// </summary>
    public double AutofocusWindowOfPrimerDiameter { get; set; } = 0.6;

    /// <summary>Keep each stack's raw frames in the package (for re-processing with <c>acq stack</c>).</summary>
    public bool KeepRawStacks { get; set; }

    /// <summary>Free space required beyond the capture's estimate.</summary>
    public long DiskReserveBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>The station's IANA time zone; empty means the system's.</summary>
    public string TimeZone { get; set; } = string.Empty;

    public StagePosition LoadPosition => StagePosition.FromMicrometres(LoadXMicrometres, LoadYMicrometres, LoadZMicrometres);

    public Micrometres SafeZ => new(SafeZMicrometres);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(StationId) || StationId.Length > 64)
        {
            throw new InvalidOperationException("Station:Capture:StationId must be 1–64 characters.");
        }
        if (PrimerCentreToleranceMicrometres is <= 0 or > 500)
        {
            throw new InvalidOperationException($"Station:Capture:PrimerCentreToleranceMicrometres is {PrimerCentreToleranceMicrometres}; allowed (0, 500].");
        }
        if (PrimerDiameterTolerance is <= 0 or > 0.5)
        {
            throw new InvalidOperationException($"Station:Capture:PrimerDiameterTolerance is {PrimerDiameterTolerance}; allowed (0, 0.5].");
        }
        if (!double.IsFinite(AutofocusWindowOfPrimerDiameter) || AutofocusWindowOfPrimerDiameter is < 0.2 or > 0.65)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Station:Capture:AutofocusWindowOfPrimerDiameter is {AutofocusWindowOfPrimerDiameter}; allowed 0.2–0.65 (a wider square's corners reach the primer cup's edge and the head face beyond it)."));
        }
        if (MaxCentringIterations is < 1 or > 10)
        {
            throw new InvalidOperationException($"Station:Capture:MaxCentringIterations is {MaxCentringIterations}; allowed 1–10.");
        }
        if (DiskReserveBytes < 0)
        {
            throw new InvalidOperationException("Station:Capture:DiskReserveBytes must not be negative.");
        }
    }
}
