namespace Acquisition.Station.Configuration;

/// <summary>The "Stage" section: the GRBL motion controller.</summary>
public sealed class StageOptions
{
    public const string Section = "Stage";

    /// <summary>Serial device of the motion controller; the udev rules give it the stable name /dev/stage.</summary>
    public string SerialPort { get; set; } = "/dev/stage";

    public int BaudRate { get; set; } = 115200;

    /// <summary>
    /// True only where the Z axis cannot fall when its motor is unpowered (a lead screw that cannot back-drive).
    /// Only then does a stop switch the motors off; otherwise an unpowered Z may drop the optics onto the casing.
    /// </summary>
    public bool ZHoldsItself { get; set; }

    /// <summary>Home the stage when the station starts; a position is unknown until homed.</summary>
    public bool HomeOnStart { get; set; } = true;

    /// <summary>The controller's $ settings the driver applies at connect (firmware-config/grbl-settings.txt).</summary>
    public string GrblSettingsFile { get; set; } = "/etc/acquisition-station/grbl-settings.txt";
}
