namespace Acquisition.HardwareSim.Surface;

/// <summary>
/// Parameters of the parametric casing head (micrometres). Heights: the head face (headstamp plane) is 0, up is
/// towards the camera; the flattened primer sits <see cref="PrimerRecessMicrometres"/> below it.
/// </summary>
public sealed record CasingHeadModel
{
    public CasingGeometry Geometry { get; init; } = CasingGeometry.NineMmLuger;
    public FiringPinImpression FiringPin { get; init; } = new();
    public double PrimerRecessMicrometres { get; init; } = 40;

    /// <summary>Text at 12 o'clock of the headstamp ring, upright as the camera sees it.</summary>
    public string HeadstampTop { get; init; } = "SIM";

    /// <summary>Text at 6 o'clock, also upright as the camera sees it.</summary>
    public string HeadstampBottom { get; init; } = "9MM";

    public double HeadstampLetterHeightMicrometres { get; init; } = 900;
    public double HeadstampReliefMicrometres { get; init; } = 30;

    /// <summary>RMS of the procedural breech-face marks on the primer (µm); 0 for none.</summary>
    public double BreechFaceMarksRmsMicrometres { get; init; } = 1.2;

    /// <summary>
    /// RMS relative albedo variation of the head face at a 20 µm scale: the tarnish and propellant residue of a fired
    /// head. It is what a coarse camera registers on away from the primer: the head face's white-noise texture
    /// (<see cref="HeadAlbedoTexture"/>) is finer than a 10 µm pixel and changes with every sub-pixel shift.
    /// </summary>
    public double HeadFaceStainContrast { get; init; } = 0.2;

    /// <summary>RMS of the fine height roughness of the head face and rim (µm).</summary>
    public double MicroRoughnessRmsMicrometres { get; init; } = 0.15;

    /// <summary>RMS of the fine height roughness of the primer (µm); near 0 on a polished primer.</summary>
    public double PrimerMicroRoughnessRmsMicrometres { get; init; } = 0.15;

    /// <summary>
    /// RMS relative albedo variation per raster point on the primer (white noise), as machined brass has; resampling to
    /// camera pixels leaves about half of it (≈ 5 % at the pixel scale with the default 0.12).
    /// </summary>
    public double PrimerAlbedoTexture { get; init; } = 0.12;

    /// <summary>The same for the rest of the head.</summary>
    public double HeadAlbedoTexture { get; init; } = 0.12;

    public bool EjectorMark { get; init; } = true;

    /// <summary>Measured breech-face topography (X3P) laid on the primer; NaN points keep the model surface.</summary>
    public string? BreechFaceX3pPath { get; init; }

    /// <summary>Rotation of the laid-on topography about the primer centre, degrees (counter-clockwise as seen).</summary>
    public double BreechFaceRotationDegrees { get; init; }

    public SurfaceMaterial Material { get; init; } = SurfaceMaterial.Brass;

    public int Seed { get; init; } = 1;
}
