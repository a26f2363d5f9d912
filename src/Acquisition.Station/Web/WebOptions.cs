namespace Acquisition.Station.Web;

/// <summary>The "Web" section: the technician page's HTTPS listener, operator accounts and barcode rules.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Serve the technician page at all (a headless station may turn it off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>TCP port of the HTTPS listener; 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 8443;

    /// <summary>False (default): bound to localhost only, for the station's own screen. True: all interfaces.</summary>
    public bool Lan { get; set; }

    /// <summary>A PFX/PKCS#12 certificate to use instead of the self-signed one generated in keys/.</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>File holding the PFX password (read at start; never logged).</summary>
    public string CertificatePasswordFile { get; set; } = "";

    /// <summary>Operator accounts (JSON); relative paths are under the data directory.</summary>
    public string OperatorsFile { get; set; } = "operators.json";

    /// <summary>Seed demo operators into a missing operators file (the simulator profile turns this on).</summary>
    public bool SeedDemoOperators { get; set; }

    /// <summary>Folder with calibres.json and recipes/ when the workflow has not registered its calibre table.</summary>
    public string FirmwareConfigDirectory { get; set; } = "";

    /// <summary>Regex the lab's case-number barcodes match (anchored); empty accepts any valid text.</summary>
    public string CaseNumberPattern { get; set; } = "";

    /// <summary>Check digit of the case-number format: None, Luhn (mod 10) or Iso7064Mod97 (ISO 7064 MOD 97-10).</summary>
    public CheckDigitScheme CaseNumberCheckDigit { get; set; } = CheckDigitScheme.None;

    /// <summary>Serial barcode scanner device (e.g. /dev/ttyACM0); empty = none (a USB keyboard-wedge scanner needs no setting).</summary>
    public string BarcodeScannerPort { get; set; } = "";

    /// <summary>Baud rate of the serial barcode scanner.</summary>
    public int BarcodeScannerBaudRate { get; set; } = 9600;

    /// <summary>Wrong PINs in a row for one operator id before sign-in for that id is locked.</summary>
    public int PinMaxAttempts { get; set; } = 5;

    /// <summary>How long an operator id stays locked after <see cref="PinMaxAttempts"/> wrong PINs.</summary>
    public TimeSpan PinLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Live-view frames are scaled down to at most this width.</summary>
    public int LiveViewMaxWidth { get; set; } = 1024;

    /// <summary>Live-view frame-rate cap.</summary>
    public double LiveViewMaxFramesPerSecond { get; set; } = 5;

    /// <summary>Light the casing while a technician watches live view (off again when the view stops, idles or a capture starts).</summary>
    public bool LiveViewLighting { get; set; } = true;

    /// <summary>Ring segments lit for live view; empty = the overview lighting of the current case's recipe.</summary>
    public int[] LiveViewLightSegments { get; set; } = [];

    /// <summary>Intensity (0–1) of <see cref="LiveViewLightSegments"/>.</summary>
    public double LiveViewLightIntensity { get; set; } = 0.5;

    /// <summary>Coaxial intensity (0–1) with <see cref="LiveViewLightSegments"/>.</summary>
    public double LiveViewLightCoaxial { get; set; }

    /// <summary>The live-view lighting goes off when no viewer has taken a frame for this long (a stalled or hidden page).</summary>
    public TimeSpan LiveViewLightIdle { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Camera exposure while live view takes frames (rounded up to whole PWM periods of the ring light, as a capture
    /// does); each capture sets its recipe's own exposure again.
    /// </summary>
    public TimeSpan LiveViewExposure { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The status bar warns this long before a calibration expires.</summary>
    public TimeSpan CalibrationWarning { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A sign-in lasts this long without activity.</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromMinutes(30);
}
