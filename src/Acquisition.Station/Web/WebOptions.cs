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

    /// <summary>Live-view frames are scaled down to at most this width.</summary>
    public int LiveViewMaxWidth { get; set; } = 1024;

    /// <summary>Live-view frame-rate cap.</summary>
    public double LiveViewMaxFramesPerSecond { get; set; } = 5;

    /// <summary>The status bar warns this long before a calibration expires.</summary>
    public TimeSpan CalibrationWarning { get; set; } = TimeSpan.FromDays(7);

    /// <summary>A sign-in lasts this long without activity.</summary>
    public TimeSpan SessionIdle { get; set; } = TimeSpan.FromMinutes(30);
}
