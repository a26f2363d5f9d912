using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.HardwareSim.Surface;
using Acquisition.HardwareSim.Synthetic;
using OpenCvSharp;

namespace Acquisition.Bench;

/// <summary>
/// Where the stack bench's slices and truth come from: the synthetic textured scene (the default, every figure in
/// docs/benchmarks.md before session 14) or the camera simulator's default 9 mm casing, whose breech face carries
/// the texture, pixel apertures and optics of the station's own simulator (`--scene camera`). Jitter and drift are
/// off in both: enfuse cannot align.
/// </summary>
internal sealed class BenchStackSource : IDisposable
{
    // The camera scene: the breech-face field as the station captures it, centred on the primer. Off centre (SimulatorStackTests'
    // small field at y = 1600 µm, widened to the full sensor) the 2.56 mm registration crop takes in the primer pocket's
    // edge on one side, whose blur changes with z and walks the registration by 0.02 px a slice (docs/benchmarks.md,
    // session 14); the station narrows its crop near such edges, and `acq stack`, knowing no casing, cannot.
    private const double StageX = 0, StageY = 0;
    private static readonly LightingState Light = LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 0.6);

    private readonly SyntheticStack? _synthetic;
    private readonly SurfaceScene? _scene;
    private readonly FrameRenderer? _renderer;
    private readonly SimulatedCameraOptions? _camera;
    private CameraGroundTruth? _truth;

    private BenchStackSource(string name, int width, int height, double zFirst, SyntheticStack? synthetic, SurfaceScene? scene, SimulatedCameraOptions? camera)
    {
        Name = name;
        Width = width;
        Height = height;
        ZFirstMicrometres = zFirst;
        _synthetic = synthetic;
        _scene = scene;
        _camera = camera;
        _renderer = scene is null ? null : new FrameRenderer(scene, camera!);
    }

    public string Name { get; }
    public int Width { get; }
    public int Height { get; }

    /// <summary>The z of the first slice of the timed stack (2 µm steps).</summary>
    public double ZFirstMicrometres { get; }

    /// <summary>The synthetic scene centred on z = 0; the camera scene's breech face lies near z = −40 µm.</summary>
    public static BenchStackSource Create(string kind, int width, int height, int slices) => kind switch
    {
        "synthetic" => new BenchStackSource("synthetic textured scene (SyntheticStack, seed 11)", width, height, -(slices - 1),
            SyntheticStack.Create(width, height, seed: 11, maxDefocusMicrometres: 50), null, null),
        "camera" => CreateCamera(width, height, slices),
        _ => throw new ArgumentException($"--scene {kind} is not a scene; use --scene synthetic or --scene camera."),
    };

    private static BenchStackSource CreateCamera(int width, int height, int slices)
    {
        var camera = new SimulatedCameraOptions { Width = width, Height = height, JitterRmsPixels = 0, MagnificationChangePerMicrometre = 0 };
        double halfWidth = (Math.Max(width, height) * camera.PixelSizeMicrometres / 2) + 100;
        var scene = SurfacePresets.DefaultCasing(new SceneExtent(halfWidth, StageX, StageY));
        try
        {
            return new BenchStackSource($"camera simulator, default casing's breech face at ({StageX}, {StageY}) µm", width, height, -40 - (slices - 1), null, scene, camera);
        }
        catch
        {
            // The renderer refused the options (a size it cannot sample): the scene's buffers are still ours.
            scene.Dispose();
            throw;
        }
    }

    /// <summary>One 8-bit slice at stage z; <paramref name="sequence"/> seeds its read noise.</summary>
    public Mat Render(double zMicrometres, ulong sequence)
    {
        if (_synthetic is not null)
        {
            return _synthetic.RenderFrame(zMicrometres, 1, 0, 0, 0.01, 8, sequence);
        }
        var position = StagePosition.FromMicrometres(StageX, StageY, zMicrometres);
        var (data, _) = _renderer!.Render(_ => new ExposureSample(position, Light), _camera!.Exposure, _camera.Gain, _camera.Format, (long)sequence);
        using var wrapped = Mat.FromPixelData(Height, Width, MatType.CV_8UC1, data);
        return wrapped.Clone();
    }

    /// <summary>The all-in-focus truth and its full scale (1 for the synthetic scene, 255 for the camera's 8-bit grey).</summary>
    public (Mat Image, double FullScale) AllInFocus => _synthetic is not null ? (_synthetic.AllInFocus, 1) : (Truth.AllInFocus, 255);

    public Mat TrueHeightMicrometres => _synthetic is not null ? _synthetic.TrueHeightMicrometres : Truth.HeightMicrometres;

    /// <summary>
    /// Where the figures are taken: all but a 32 px border on the synthetic scene; on the camera scene the primer
    /// plane (true height −55…−25 µm) eroded by 9 px, without the 32 px border, so the firing-pin crater, the
    /// pocket and the head face (other depths, outside a 62 µm stack) do not count.
    /// </summary>
    public Mat Mask()
    {
        var mask = new Mat(Height, Width, MatType.CV_8UC1, Scalar.All(0));
        mask[new Rect(32, 32, Width - 64, Height - 64)].SetTo(Scalar.All(255));
        if (_synthetic is null)
        {
            using var plane = new Mat();
            Cv2.InRange(Truth.HeightMicrometres, new Scalar(-55), new Scalar(-25), plane);
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(9, 9));
            Cv2.Erode(plane, plane, kernel);
            Cv2.BitwiseAnd(mask, plane, mask);
        }
        return mask;
    }

    private CameraGroundTruth Truth => _truth ??= _renderer!.GroundTruth(StagePosition.FromMicrometres(StageX, StageY, ZFirstMicrometres), Light,
        _camera!.Exposure, _camera.Gain, _camera.Format);

    public void Dispose()
    {
        _truth?.Dispose();
        _renderer?.Dispose();
        _scene?.Dispose();
        _synthetic?.Dispose();
    }
}
