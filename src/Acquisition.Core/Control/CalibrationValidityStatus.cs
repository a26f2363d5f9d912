namespace Acquisition.Core.Control;

/// <summary>Whether a calibration kind may be used for captures now.</summary>
public enum CalibrationValidityStatus
{
    /// <summary>Valid and not yet inside its warning period.</summary>
    Valid,

    /// <summary>Still valid, but expires within the configured warning period.</summary>
    Expiring,

    /// <summary>Past its validity: captures refuse to start unless the configuration allows it.</summary>
    Expired,

    /// <summary>Never calibrated.</summary>
    Missing,
}
