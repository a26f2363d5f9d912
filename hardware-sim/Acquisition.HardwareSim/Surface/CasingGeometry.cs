namespace Acquisition.HardwareSim.Surface;

/// <summary>
/// Calibre-dependent dimensions of a centre-fire casing head, micrometres. Primer sizes: small pistol/rifle about
/// 4.45 mm, large pistol/rifle 5.33 mm.
/// </summary>
public sealed record CasingGeometry(
    string Calibre,
    double HeadDiameterMicrometres,
    double PrimerDiameterMicrometres,
    double PrimerPocketGapMicrometres = 60,
    double RimChamferWidthMicrometres = 250)
{
    public static CasingGeometry NineMmLuger => new("9mm Luger", 9960, 4450);
    public static CasingGeometry Auto380 => new(".380 Auto", 9500, 4450);
    public static CasingGeometry SmithWesson40 => new(".40 S&W", 10770, 4450);
    public static CasingGeometry Auto45 => new(".45 Auto", 12010, 5330);
    public static CasingGeometry Remington223 => new(".223 Rem", 9600, 4450);
    public static CasingGeometry Russian762x39 => new("7.62x39", 11350, 5330);

    public double HeadRadius => HeadDiameterMicrometres / 2;
    public double PrimerRadius => PrimerDiameterMicrometres / 2;
}
