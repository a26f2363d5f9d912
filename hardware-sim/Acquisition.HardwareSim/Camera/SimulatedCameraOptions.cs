using System.Globalization;
using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Camera;

/// <summary>
/// The simulated microscope camera: sensor, optics, noise, timing, how the scene sits under the stage, and the
/// hidden truths (true pixel size, camera–stage rotation) that a calibration must recover. Defaults are documented
/// in docs/simulator-camera.md; the imaging and workflow targets are stated against them.
/// </summary>
public sealed record SimulatedCameraOptions
{
    public string Name { get; init; } = "sim-camera";

    public int Width { get; init; } = 2448;
    public int Height { get; init; } = 2048;

    /// <summary>True object-side pixel size at the datum focus, µm (what a calibration measures).</summary>
    public double PixelSizeMicrometres { get; init; } = 2.5;

    /// <summary>
    /// True camera–stage rotation, degrees: the direction of the stage +X axis as it appears in the image, measured
    /// from the image +x axis counter-clockwise as displayed (0 = stage X runs exactly along the pixel rows).
    /// </summary>
    public double CameraToStageRotationDegrees { get; init; }

    public double NumericalAperture { get; init; } = 0.3;
    public double WavelengthMicrometres { get; init; } = 0.55;

    /// <summary>Relative magnification change per µm of focus height (non-telecentric optics); 0 = off.</summary>
    public double MagnificationChangePerMicrometre { get; init; } = 3.3e-5;

    /// <summary>RMS of the per-frame XY image jitter, pixels per axis; 0 = off.</summary>
    public double JitterRmsPixels { get; init; } = 0.25;

    /// <summary>
    /// Average the scene over each pixel's footprint, as a camera pixel integrates light, where a pixel spans several
    /// scene raster cells (10 µm/px over the 2.5 µm raster). Off by default: the station's 10 µm/px demo camera runs the
    /// 2.5 µm/px recipes, and sampling at pixel centres keeps their focus behaviour (integrated, the synthetic texture
    /// is too faint and its focus curves too wide for those recipes' QC: docs/simulator-camera.md), at the cost of
    /// aliasing the head face's texture into a pattern that changes with every frame's jitter. No effect at 2.5 µm/px.
    /// </summary>
    public bool IntegratePixelFootprint { get; init; }

    /// <summary>
    /// Integrate the light over each pixel's aperture (a fill factor near 100 %, as sensors with microlenses have)
    /// where a pixel spans less than two scene raster cells (the default 2.5 µm/px over the 2.5 µm raster), instead of
    /// sampling the scene at the pixel centre. Centre sampling keeps texture at the pixel pitch at full contrast on the
    /// grid and loses it between grid points, so a sub-pixel jitter changed each frame's fine contrast by its phase (a
    /// per-frame gain no sensor has), which no registration can undo (docs/simulator-camera.md). On by default; where
    /// a pixel spans two or more cells see <see cref="IntegratePixelFootprint"/>.
    /// </summary>
    public bool IntegratePixelAperture { get; init; } = true;

    /// <summary>Whole scene raster cells one pixel spans (at least 1).</summary>
    public int RasterCellsPerPixel(double sceneResolutionMicrometres) =>
        Math.Max(1, (int)Math.Floor((PixelSizeMicrometres / sceneResolutionMicrometres) + 1e-6));

    /// <summary>
    /// Whether frames of a scene at this raster resolution alias its finest texture: a pixel spans several raster cells
    /// and <see cref="IntegratePixelFootprint"/> is off.
    /// </summary>
    public bool AliasesTexture(double sceneResolutionMicrometres) =>
        !IntegratePixelFootprint && RasterCellsPerPixel(sceneResolutionMicrometres) > 1;

    /// <summary>Read noise as a fraction of full scale at gain 1.</summary>
    public double ReadNoiseFraction { get; init; } = 0.01;

    /// <summary>Electrons at full scale and gain 1 (sets the shot noise); 0 = no shot noise.</summary>
    public double FullWellElectrons { get; init; } = 10000;

    /// <summary>Fraction of full scale per ms of exposure for unit radiance at gain 1.</summary>
    public double SensitivityPerMillisecond { get; init; } = 0.04;

    public PixelFormat Format { get; init; } = PixelFormat.Mono8;
    public TimeSpan Exposure { get; init; } = TimeSpan.FromMilliseconds(10);
    public double Gain { get; init; } = 1;

    /// <summary>Frame start to frame start while free-running (35 fps by default).</summary>
    public TimeSpan FrameInterval { get; init; } = TimeSpan.FromTicks(285_714);

    public int RingSegments { get; init; } = 8;

    /// <summary>Elevation of the ring-light segments above the head face, degrees.</summary>
    public double RingElevationDegrees { get; init; } = 35;

    /// <summary>
    /// Azimuth of segment 0, degrees from the image +x axis (right) towards image up; segment k is at
    /// this + k·360/<see cref="RingSegments"/> (counter-clockwise as displayed).
    /// </summary>
    public double RingAzimuthOfSegmentZeroDegrees { get; init; }

    /// <summary>Machine X of the primer centre (scene origin), µm.</summary>
    public double SceneOriginXMachineMicrometres { get; init; }

    /// <summary>Machine Y of the primer centre (scene origin), µm.</summary>
    public double SceneOriginYMachineMicrometres { get; init; }

    /// <summary>Stage Z at which scene height 0 (the head face) is in focus, µm; raising Z raises the focal plane.</summary>
    public double ZAtDatumFocusMicrometres { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>
    /// Relative loss of illumination at the sensor corner (radial, quadratic from the centre): the shading a
    /// flat-field calibration must find. 0 = off (default); 0.2 = the corners get 80 % of the centre's light.
    /// </summary>
    public double VignettingAtCorner { get; init; }

    /// <summary>
    /// Light output of each ring segment per unit drive (LED binning, ageing): the imbalance a lights calibration
    /// must find. Null = every segment 1.0.
    /// </summary>
    public IReadOnlyList<double>? SegmentEfficiency { get; init; }

    /// <summary>A mirrored image (camera mounted or configured with reversed X): a calibration must detect it.</summary>
    public bool MirrorImage { get; init; }

    /// <summary>The illumination factor at pixel (u, v) from <see cref="VignettingAtCorner"/>.</summary>
    public double VignettingAt(double u, double v)
    {
        var cu = (Width - 1) / 2.0;
        var cv = (Height - 1) / 2.0;
        var r2 = (((u - cu) * (u - cu)) + ((v - cv) * (v - cv))) / ((cu * cu) + (cv * cv));
        return 1 - (VignettingAtCorner * r2);
    }

    /// <summary>The efficiency of ring segment <paramref name="segment"/> (1 when not set).</summary>
    public double EfficiencyOf(int segment) =>
        SegmentEfficiency is { } e && segment < e.Count ? e[segment] : 1.0;

    /// <summary>The production-size sensor: 2448×2048 at 2.5 µm (a 6.1×5.1 mm field).</summary>
    public static SimulatedCameraOptions Default => new();

    /// <summary>A small sensor (512×424, same optics) for fast tests.</summary>
    public static SimulatedCameraOptions Small => new() { Width = 512, Height = 424 };

    /// <summary>Throws one exception listing every invalid setting.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        void Check(bool ok, string key, object value, string allowed)
        {
            if (!ok)
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{key}={value}: {allowed}"));
            }
        }
        Check(!string.IsNullOrWhiteSpace(Name), nameof(Name), Name, "must not be empty");
        Check(Width is >= 16 and <= 16384, nameof(Width), Width, "16..16384 pixels");
        Check(Height is >= 16 and <= 16384, nameof(Height), Height, "16..16384 pixels");
        Check(PixelSizeMicrometres is > 0.1 and < 100, nameof(PixelSizeMicrometres), PixelSizeMicrometres, "0.1..100 µm");
        Check(NumericalAperture is > 0.01 and < 0.95, nameof(NumericalAperture), NumericalAperture, "0.01..0.95");
        Check(WavelengthMicrometres is > 0.2 and < 2, nameof(WavelengthMicrometres), WavelengthMicrometres, "0.2..2 µm");
        Check(Math.Abs(MagnificationChangePerMicrometre) < 1e-3, nameof(MagnificationChangePerMicrometre), MagnificationChangePerMicrometre, "|k| < 1e-3 per µm");
        Check(JitterRmsPixels is >= 0 and < 20, nameof(JitterRmsPixels), JitterRmsPixels, "0..20 px");
        Check(ReadNoiseFraction is >= 0 and < 0.5, nameof(ReadNoiseFraction), ReadNoiseFraction, "0..0.5 of full scale");
        Check(FullWellElectrons >= 0, nameof(FullWellElectrons), FullWellElectrons, ">= 0");
        Check(SensitivityPerMillisecond > 0, nameof(SensitivityPerMillisecond), SensitivityPerMillisecond, "> 0");
        Check(Format is PixelFormat.Mono8 or PixelFormat.Mono12, nameof(Format), Format, "Mono8 or Mono12");
        Check(Exposure > TimeSpan.Zero && Exposure < FrameInterval, nameof(Exposure), Exposure, $"> 0 and shorter than FrameInterval {FrameInterval}");
        Check(Gain is >= 1 and <= 16, nameof(Gain), Gain, "1..16");
        Check(FrameInterval >= TimeSpan.FromMilliseconds(1), nameof(FrameInterval), FrameInterval, ">= 1 ms");
        Check(RingSegments is >= 1 and <= 64, nameof(RingSegments), RingSegments, "1..64");
        Check(VignettingAtCorner is >= 0 and < 0.9, nameof(VignettingAtCorner), VignettingAtCorner, "0..0.9");
        Check(SegmentEfficiency is null || SegmentEfficiency.All(e => e is >= 0 and <= 2), nameof(SegmentEfficiency), SegmentEfficiency?.Count ?? 0, "each 0..2");
        Check(RingElevationDegrees is > 0 and < 90, nameof(RingElevationDegrees), RingElevationDegrees, "0..90 degrees");
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulated camera options: " + string.Join("; ", errors));
        }
    }
}
