namespace Acquisition.Workflow.Recipes;

/// <summary>
/// Where a region's z-stack can be registered without following the rim: the flat part of the case head, which
/// ends a little inside the nominal head radius. Both the recipe check at load time and the stacker set-up use it,
/// so a recipe that loads is one the stacker can register with any camera of up to 10 µm per pixel.
/// </summary>
public static class HeadFaceGeometry
{
    /// <summary>
    /// How far inside the nominal case-head radius the flat head face is taken to end: the rim's chamfer (250 µm on
    /// the simulator's casings; assumed of that order on real heads, not measured) and some room for the defocus blur
    /// of its edge at the ends of a stack (≈ 20 µm at NA 0.3 and 60 µm defocus).
    /// </summary>
    public const double RimClearanceMicrometres = 300;

    /// <summary>
    /// The smallest registration field on the head face a recipe region may have: the stacker factory's smallest crop
    /// (48 px) at 10 µm per registration pixel, the real camera's scale (2.5 µm/px at downscale 4) and the simulated
    /// station's (10 µm/px), plus 2 px for a calibrated pixel a little larger than its nominal size. Below that the
    /// crop holds too few texture cells for a reliable match, and a wider one would reach over the rim.
    /// </summary>
    public const double MinimumFieldOnHeadFaceMicrometres = 500;

    /// <summary>
    /// The side (µm) of the largest square centred on the region, with its sides along the stage axes (the camera's
    /// rotation to the stage is calibrated and small), that stays on the flat head face: the head's radius less
    /// <see cref="RimClearanceMicrometres"/>. A crop reaching over the rim registers on the chamfer's blurred edge,
    /// whose blur changes with z: on the simulator's ejector-mark stack that walked the slices 3–5 px off, unreported
    /// (docs/imaging.md). 0 when the region centre is already off the flat face.
    /// </summary>
    public static double RegistrationFieldLimitFor(RegionRecipe region, CalibreEntry calibre)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(calibre);
        var flat = FlatFaceRadiusMicrometres(calibre);
        var a = Math.Abs(region.OffsetX.Value);
        var b = Math.Abs(region.OffsetY.Value);
        if (Math.Sqrt((a * a) + (b * b)) >= flat)
        {
            return 0;
        }
        // The farthest corner (a + h, b + h) on the circle: 2h² + 2(a + b)h + a² + b² − r² = 0.
        var half = (-(a + b) + Math.Sqrt(((a + b) * (a + b)) - (2 * ((a * a) + (b * b) - (flat * flat))))) / 2;
        return 2 * half;
    }

    /// <summary>The radius (µm) from the primer centre at which the flat head face is taken to end.</summary>
    public static double FlatFaceRadiusMicrometres(CalibreEntry calibre)
    {
        ArgumentNullException.ThrowIfNull(calibre);
        return (calibre.CaseHeadDiameter.Value / 2) - RimClearanceMicrometres;
    }
}
