using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using OpenCvSharp;

namespace Acquisition.Imaging.Stacking;

/// <summary>
/// Fuses a z-stack one frame at a time while the stage is still moving. Per-pixel state is a fixed set of images
/// (running best pyramid and activity, two rings of the focus measure for the running-box z-smoothing, the running peak and
/// the running sums for the confidence), so memory does not grow with the number of slices and no slice is kept.
/// See docs/imaging.md for the method and the measurements behind the defaults.
/// Not thread-safe: feed frames from one thread, in z order. Internally (with <see cref="FocusStackerOptions.PipelineStages"/>)
/// Add registers and warps its slice on the caller's thread and hands fusion and depth to a second thread, which
/// runs while the next slice is registered; the two share nothing but the two hand-off slots.
/// </summary>
public sealed class StreamingFocusStacker : IDisposable
{
    /// <summary>
    /// Longest running box of the z-smoothing, in z-bins. Each of its two stages keeps a ring of box + 1 focus images,
    /// allocated in full when the stack starts, so the state is the same whatever the z-step and the slice count.
    /// A finer z-step than the box allows is averaged into bins of several slices first (9 is the box at the default
    /// σ = 7 µm and a 2 µm step, so bins of 2 slices at 1 µm).
    /// </summary>
    internal const int MaxSmoothingBoxSlices = 9;

    private readonly FocusStackerOptions _options;
    private readonly List<double> _z = [];
    private readonly List<SliceRegistration> _registrations = [];
    private readonly Stopwatch _sliceTime = new();
    private readonly Mat _kernelX;
    private readonly Mat _kernelY;

    private int _width;
    private int _height;
    private int _levels;
    private bool _completed;
    private bool _disposed;

    // Per-frame working images, reused to avoid native allocations on the hot path.
    // The slice as captured (grey, 8 or 16 bit) and its full scale: warps and gradients run on the integer image,
    // a quarter of the memory traffic of float.
    private readonly Mat _grey = new();
    // The slice being added: the caller's image itself when it is already grey (no copy), else _grey. Valid only
    // inside Add.
    private Mat _current = null!;
    private readonly Mat _saturated = new();
    private readonly Mat _registeredRaw = new();
    private readonly AxisAlignedWarp _imageWarp = new();
    private readonly AxisAlignedWarp _focusWarp = new();
    private readonly AxisAlignedWarp _cropWarp = new();
    private readonly TenengradHalfKernel _tenengrad = new();
    private readonly Mat _focusHalf = new();
    private readonly Mat _energyHalf = new();
    private double _fullScale;
    private double _shortScale = 1;
    /// <summary>Value of one unit of the 16-bit level 0 on the normalised (0–1) scale.</summary>
    private double ShortUnit => 1.0 / (_shortScale * _fullScale);
    private int _bitDepth;
    private readonly Mat _image = new();
    // Hand-off from the first stage (grey, focus measure, registration, warps) to the second (fusion, depth): the
    // registered slice and its warped focus map at activity resolution, in two slots so the first stage can fill one
    // while the second reads the other. _registered and _warpedFocus point at the slot of the slice being added.
    private readonly Mat[] _registeredSlots = [new Mat(), new Mat()];
    private readonly Mat[] _warpedFocusSlots = [new Mat(), new Mat()];
    private Mat _registered;
    private Mat _warpedFocus;
    private int _slot;
    // Per hand-off slot: the fine-detail gain of that slice's warp per activity column and row (WarpDetailGain), or
    // null where the slice was not resampled; and the weighted level-1 activity the selection compares.
    private readonly float[]?[] _detailGainX = new float[]?[2];
    private readonly float[]?[] _detailGainY = new float[]?[2];
    private readonly Mat _weightedActivity = new();
    private readonly Mat _gainGradientX = new();
    private readonly Mat _gainGradientY = new();
    // The second stage of the previous slice while it runs (pipelined), and the failure that stopped it.
    private Task? _pending;
    private Exception? _stageFailure;
    // z of the slices the second stage has taken in (its own list: _z grows on the caller's thread meanwhile).
    private readonly List<double> _depthZ = [];
    private readonly Mat _t1 = new();
    private readonly Mat _t2 = new();
    private readonly Mat _focusUnregistered = new();
    private Mat? _focusSource;
    private readonly Mat _up = new();

    // Registration.
    private Mat? _hann;
    // The registered crop of the previous slice: each slice is registered to its neighbour, which is defocused
    // almost alike, never to the first slice.
    private Mat? _referenceCrop;
    private Mat? _olderReferenceCrop;
    // Variances of the two reference crops: their signal-to-noise is taken against the noise floor known when needed.
    private double _referenceVariance = double.PositiveInfinity;
    private double _olderReferenceVariance = double.PositiveInfinity;
    private readonly Mat _match = new();
    private readonly Mat _cropSmall = new();
    private readonly Mat _cropCorrected = new();
    private readonly Mat _cropRegistered = new();
    // The coarse first match's reference crop, moving crop and score map (a few kB each).
    private readonly Mat[] _coarse = [new Mat(), new Mat(), new Mat()];
    private double _shiftX;
    private double _shiftY;
    private double _residualSumSq;
    private double _residualMax;
    private int _residualCount;
    private int _failedRegistrations;
    private int _heldRegistrations;
    /// <summary>Why the current slice's match is ambiguous (a competing score peak), or null.</summary>
    private string? _ambiguity;
    private int _registrationDownscale = 1;
    private bool _registrationHighPass;
    private Mat? _cropBlur;

    // Fusion: per level, the Gaussian pyramid of the slice and the running mosaic of the best slices' Gaussian
    // pixels with their activity; the mean of the top level. No Laplacian is formed per slice: ReconstructFused
    // forms the detail of the mosaics once.
    private Mat[] _gauss = [];
    private Mat[] _activity = [];
    private Mat[] _bestGauss = [];
    // All in the 16-bit fixed point of the registered slice (ShortUnit); level 0's mosaic is _bestLevel0 and
    // _bestGauss[0] stays empty.
    private readonly Mat _bestLevel0 = new();
    private Mat[] _bestActivity = [];
    // Per level, so that no buffer changes size between levels: a shared one was reallocated at every level of
    // every slice, which costs page faults and, with the two-stage pipeline, left freed frames in malloc arenas.
    private Mat[] _vote = [];
    private Mat[] _mask = [];
    private Mat? _residualSum;

    // Depth: rings of (decimated) focus images and the running peak of the z-smoothed focus curve.
    // Two cascaded running boxes along z (a triangular kernel): _ring holds the raw focus images, _boxRing the
    // first box's sums; each update is one add and one subtract whatever the kernel's length.
    private readonly Mat[] _ring = new Mat[MaxSmoothingBoxSlices + 1];
    private readonly Mat[] _boxRing = new Mat[MaxSmoothingBoxSlices + 1];
    private readonly Mat _boxSum = new();
    private readonly List<int> _boxCounts = [];
    // z-bins: consecutive slices averaged before the smoothing when the step is finer than the box allows.
    private readonly List<double> _binZ = [];
    private Mat _binSum = new();
    private int _binFill;
    private double _binZSum;
    private int _binSlices = 1;
    private int _box = -1;
    private int _boxHalf;
    private int _nextBox;
    private int _nextEmit;
    private float _lastSmoothingScale;
    // Set while Complete() plans the depth tail: the row passes of its steps are collected here and run row by row
    // with the peak fit instead of each over the whole state.
    private List<Action<int>>? _deferredDepthRows;
    private readonly Mat _bestS = new();
    private readonly Mat _beforeS = new();
    private readonly Mat _afterS = new();
    private readonly Mat _bestIndex = new();
    private readonly Mat _sum = new();
    private readonly Mat _sumSq = new();

    // Statistics.
    private double _maxSaturated;
    // Set per slice by ToNormalisedGrey: the saturation count waits for the maximum that TenengradHalf finds.
    private bool _saturationInFocusPass;
    private double _noiseFirst = double.NaN;
    private double _noiseLast = double.NaN;
    // The smallest noise estimate so far: Immerkær's estimator counts fine texture as noise, so an in-focus slice's
    // own estimate can be far too high, and only defocused slices give the read noise (the hold rule needs it).
    private double _noiseMin = double.PositiveInfinity;

    public StreamingFocusStacker(FocusStackerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _kernelX = Mat.FromPixelData(1, 3, MatType.CV_32FC1, new float[] { -1, 2, -1 });
        _kernelY = Mat.FromPixelData(3, 1, MatType.CV_32FC1, new float[] { -1, 2, -1 });
        _registered = _registeredSlots[0];
        _warpedFocus = _warpedFocusSlots[0];
        for (int i = 0; i < _ring.Length; i++)
        {
            _ring[i] = new Mat();
            _boxRing[i] = new Mat();
        }
    }

    public int SliceCount => _z.Count;

    /// <summary>
    /// Replaces each registered slice's measured shift (full-resolution pixels, slice index in) with a known one; the
    /// match and its checks still run on the measured one, and held or failed slices keep their own path. Only the
    /// accuracy analysis uses it: with the simulator's true jitter it separates what registration costs the fused
    /// image from what resampling costs (docs/imaging.md, "Accuracy targets").
    /// </summary>
    internal Func<int, (double X, double Y)>? KnownShift { get; set; }

    /// <summary>Called after each stage of a slice with the stage's name: the bench's per-stage CPU profile hooks in here.</summary>
    internal Action<string>? StageDone { get; set; }

    public IReadOnlyList<SliceRegistration> Registrations => _registrations;

    /// <summary>Adds a camera frame taken with the focal plane at <paramref name="stageZ"/>.</summary>
    public SliceRegistration Add(Frame frame, Micrometres stageZ)
    {
        ArgumentNullException.ThrowIfNull(frame);
        var type = frame.BytesPerPixel == 1 ? MatType.CV_8UC1 : MatType.CV_16UC1;
        using var raw = Mat.FromPixelData(frame.Height, frame.Width, type, frame.Data);
        return Add(raw, frame.BitDepth, stageZ);
    }

    /// <summary>Adds a single-channel 8- or 16-bit image (colour images are converted to grey).</summary>
    public SliceRegistration Add(Mat image, int bitDepth, Micrometres stageZ)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        if (_completed)
        {
            throw new InvalidOperationException("Complete() was already called; start a new stacker for a new stack.");
        }
        if (bitDepth is < 8 or > 16)
        {
            throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "Bit depth must be 8–16.");
        }
        if (!double.IsFinite(stageZ.Value))
        {
            throw new ArgumentException("Stage z must be a finite number of micrometres.", nameof(stageZ));
        }
        if (_z.Count > 0 && stageZ.Value == _z[^1])
        {
            throw new ArgumentException($"Slice {_z.Count} repeats stage z = {stageZ}; each slice needs its own z.", nameof(stageZ));
        }
        if (_z.Count > 1 && Math.Sign(stageZ.Value - _z[^1]) != Math.Sign(_z[^1] - _z[^2]))
        {
            throw new ArgumentException($"Slice {_z.Count} at {stageZ} breaks the z order; feed slices in monotonic z.", nameof(stageZ));
        }

        _sliceTime.Start();
        try
        {
            return AddCore(image, bitDepth, stageZ.Value);
        }
        finally
        {
            _sliceTime.Stop();
        }
    }

    private SliceRegistration AddCore(Mat image, int bitDepth, double z)
    {
        ToNormalisedGrey(image, bitDepth);
        if (_z.Count == 0)
        {
            Initialise(_current.Width, _current.Height);
        }
        else if (_current.Width != _width || _current.Height != _height)
        {
            throw new ArgumentException($"Slice {_z.Count} is {_current.Width}×{_current.Height}; the stack is {_width}×{_height}. All slices must have the same size.");
        }
        int index = _z.Count;
        _z.Add(z);
        // In sequence the second stage is done before the next slice starts, so one slot is enough (a second costs
        // a 16-bit frame, 10 MB at 2448×2048).
        int slot = _options.PipelineStages ? index % 2 : 0;
        _slot = slot;
        _registered = _registeredSlots[slot];
        _warpedFocus = _warpedFocusSlots[slot];

        var noise = EstimateNoise(_current);
        if (index == 0)
        {
            _noiseFirst = noise;
        }
        _noiseLast = noise;
        _noiseMin = Math.Min(_noiseMin, noise);
        StageDone?.Invoke("grey+noise");

        // The focus measure is taken before resampling and its (smooth, windowed) map is warped instead: resampling
        // attenuates fine texture by an amount that depends on the sub-pixel offset, which differs from slice to
        // slice and would bias every pixel's focus peak.
        // In the half-resolution pipeline the full-size focus map is only pyramid-reduced, so it can live in a
        // scratch buffer instead of a frame-sized buffer of its own.
        if (HalfResolutionTenengrad)
        {
            TenengradHalf(_current);
        }
        else
        {
            _focusSource = HalfResolutionActivity && _options.FocusMeasure != FocusMeasureKind.VarianceOfLaplacian ? _t2 : _focusUnregistered;
            ComputeFocusMeasure(_current, _focusSource);
        }
        StageDone?.Invoke("focus measure");
        var registration = RegisterAndWarp(index, z);
        _registrations.Add(registration);
        StageDone?.Invoke("warp");

        // The previous slice's second stage must be done before this one starts: they share the fusion and depth
        // state, and its slot is the one the next slice will fill.
        WaitForSecondStage();
        var registered = _registered;
        var focus = _warpedFocus;
        var gains = (_detailGainX[_slot], _detailGainY[_slot]);
        if (_options.PipelineStages)
        {
            _pending = Task.Run(() => FuseAndTrackDepth(index, z, registered, focus, gains));
        }
        else
        {
            FuseAndTrackDepth(index, z, registered, focus, gains);
        }
        return registration;
    }

    /// <summary>The second stage of a slice: fusion and depth, from the registered slice and its warped focus map.</summary>
    private void FuseAndTrackDepth(int index, double z, Mat registered, Mat focus, (float[]? X, float[]? Y) detailGain)
    {
        UpdateFusion(index, registered, focus, detailGain);
        StageDone?.Invoke("fusion");
        PushDepth(index, z, focus);
        StageDone?.Invoke("depth");
    }

    /// <summary>Waits for the previous slice's second stage and rethrows its failure (on every later call too).</summary>
    private void WaitForSecondStage()
    {
        if (_pending is { } pending)
        {
            _pending = null;
            try
            {
                pending.GetAwaiter().GetResult();
            }
            catch (Exception ex)
            {
                _stageFailure = ex;
            }
        }
        if (_stageFailure is not null)
        {
            throw new InvalidOperationException("Fusing an earlier slice failed; the stack cannot be completed.", _stageFailure);
        }
    }

    /// <summary>Finishes the stack and returns the fused image, height map, confidence and statistics.</summary>
    public FocusStackResult Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException("Complete() was already called.");
        }
        if (_z.Count < 3)
        {
            throw new InvalidOperationException($"A focus stack needs at least 3 slices; got {_z.Count}.");
        }
        var sw = Stopwatch.StartNew();
        WaitForSecondStage();
        _completed = true;
        if (_box < 0)
        {
            ChooseSmoothingKernel();
        }
        // The fused image and the depth maps share no state, so they are finished side by side. The buffers neither
        // needs are freed first, and the depth rings as soon as the depth tail is done, so that the outputs'
        // allocations reuse them and Complete()'s peak stays near that of streaming.
        var depthState = new HashSet<Mat>(_ring.Concat(_boxRing).Append(_boxSum).Append(_binSum), ReferenceEqualityComparer.Instance);
        ReleaseSliceBuffers(depthState);
        var fusion = Task.Run(ReconstructFused);
        Mat? fused = null;
        try
        {
            // Once the peak tracking has started, the remaining steps (the last bins' boxes and smoothed values, up to
            // 3h + 1 passes over the whole state) are only planned here and run row by row with the peak fit. A stack
            // too short to have started it runs its few steps as they come.
            _deferredDepthRows = _nextEmit > 0 ? [] : null;
            if (_binFill > 0)
            {
                FlushBin();
            }
            while (_nextBox < _binZ.Count)
            {
                EmitBox(_nextBox++);
            }
            while (_nextEmit < _binZ.Count)
            {
                EmitSmoothed(_nextEmit++);
            }
            var tail = _deferredDepthRows ?? [];
            _deferredDepthRows = null;
            if (tail.Count == 0)
            {
                ReleaseSliceBuffers(null);
            }
            StageDone?.Invoke("complete: depth tail");
            var (height, confidence, validFraction) = BuildHeightMap(tail);
            StageDone?.Invoke("complete: height map");
            fused = fusion.GetAwaiter().GetResult();
            StageDone?.Invoke("complete: wait for the fused image");
            sw.Stop();

            double meanStep = (_z[^1] - _z[0]) / (_z.Count - 1);
            var stats = new FocusStackStatistics(
                _z.Count,
                _width,
                _height,
                _z[0],
                _z[^1],
                meanStep,
                _options.FocusMeasure,
                validFraction,
                _maxSaturated,
                Math.Min(_noiseFirst, _noiseLast),
                _residualCount == 0 ? 0 : Math.Sqrt(_residualSumSq / _residualCount),
                _residualMax,
                _failedRegistrations,
                _heldRegistrations,
                _sliceTime.Elapsed,
                sw.Elapsed);
            return new FocusStackResult(fused, height, confidence, stats, _registrations.ToArray());
        }
        catch
        {
            // The fusion task must not outlive a failure: Dispose() frees the buffers it reads.
            try
            {
                (fused ?? fusion.GetAwaiter().GetResult()).Dispose();
            }
            catch (Exception)
            {
                // The first failure is the one to report.
            }
            throw;
        }
    }

    /// <summary>
    /// Frees every per-slice buffer once no slice can arrive any more, so the peak memory of Complete() (which
    /// allocates the full-size outputs) stays near that of streaming.
    /// </summary>
    private void ReleaseSliceBuffers(HashSet<Mat>? keep)
    {
        var sets = new[] { _gauss, _activity, _bestActivity, _ring, _boxRing, _vote, _mask };
        foreach (var m in new[] { _grey, _registeredRaw, _focusHalf, _image, _registeredSlots[0], _registeredSlots[1], _warpedFocusSlots[0], _warpedFocusSlots[1], _t1, _t2, _focusUnregistered, _cropSmall, _cropCorrected, _cropRegistered, _cropBlur, _match, _boxSum, _saturated, _energyHalf, _binSum, _referenceCrop, _olderReferenceCrop, _weightedActivity, _gainGradientX, _gainGradientY }.Concat(_coarse).Concat(sets.SelectMany(set => set)))
        {
            // The depth buffers trade places with the focus hand-off slots (and _activity[1] aliases one), so the
            // ones still in use are recognised by identity, not by field.
            if (m is not null && keep?.Contains(m) != true)
            {
                m.Release();
            }
        }
    }

    private void ToNormalisedGrey(Mat image, int bitDepth)
    {
        Mat grey = image;
        if (image.Channels() == 3 || image.Channels() == 4)
        {
            Cv2.CvtColor(image, _grey, image.Channels() == 3 ? ColorConversionCodes.BGR2GRAY : ColorConversionCodes.BGRA2GRAY);
            grey = _grey;
        }
        else if (image.Channels() != 1)
        {
            throw new ArgumentException($"Images must have 1, 3 or 4 channels (got {image.Channels()}).");
        }
        var depth = grey.Depth();
        if (depth != MatType.CV_8U && depth != MatType.CV_16U)
        {
            throw new ArgumentException($"Images must be 8- or 16-bit unsigned (got OpenCV depth {depth}).");
        }
        double fullScale = depth == MatType.CV_8U ? 255 : (1 << bitDepth) - 1;
        _current = grey;
        _fullScale = fullScale;
        _bitDepth = depth == MatType.CV_8U ? 8 : bitDepth;
        // The 8-bit half-resolution Tenengrad reads every pixel anyway and takes the maximum on the way (MinMaxLoc
        // was a separate 5 MB pass, 0.06–0.08 ms CPU); the first slice comes before the stacker knows its sizes and path.
        _saturationInFocusPass = _width == grey.Width && _height == grey.Height && UsesEightBitTenengrad(grey);
        if (!_saturationInFocusPass)
        {
            Cv2.MinMaxLoc(grey, out _, out double max);
            CountSaturated(max);
        }
    }

    /// <summary>Counting saturated pixels costs a full pass; the maximum (one fast pass) tells when there are none.</summary>
    private void CountSaturated(double max)
    {
        if (max >= _fullScale)
        {
            Cv2.InRange(_current, new Scalar(_fullScale), new Scalar(65535), _saturated);
            _maxSaturated = Math.Max(_maxSaturated, Cv2.CountNonZero(_saturated) / (double)_current.Total());
        }
    }

    /// <summary>Whether <see cref="TenengradHalf"/> takes its 8-bit banded path (which also finds the maximum) for this slice.</summary>
    private bool UsesEightBitTenengrad(Mat grey) => HalfResolutionTenengrad && grey.Depth() == MatType.CV_8U && grey.Width >= 18;

    private void Initialise(int width, int height)
    {
        if (width < 16 || height < 16)
        {
            throw new ArgumentException($"Slices of {width}×{height} are too small; at least 16×16 is needed.");
        }
        _width = width;
        _height = height;
        // Keep the top of the pyramid at least 8 px so its mean still carries the image's low frequencies.
        _levels = _options.PyramidLevels;
        while (_levels > 1 && (Math.Min(width, height) >> _levels) < 8)
        {
            _levels--;
        }
        _gauss = NewMats(_levels + 1);
        _activity = NewMats(_levels);
        // Level 0 of the Gaussian pyramid is the registered slice and level-0 activity is the focus measure itself:
        // alias them instead of copying two full frames per slice.
        _gauss[0].Dispose();
        _gauss[0] = _registeredSlots[0];
        if (HalfResolutionActivity)
        {
            // Level 1's activity is likewise the warped focus map of the slice being fused (a hand-off slot).
            _activity[1].Dispose();
            _activity[1] = _warpedFocusSlots[0];
        }
        _bestGauss = NewMats(_levels);
        _bestActivity = NewMats(_levels);
        _vote = NewMats(_levels);
        _mask = NewMats(_levels);
        AllocateSecondStageState();
    }

    /// <summary>
    /// Allocates the fusion and depth state at its final sizes on the caller's thread. With the two-stage pipeline
    /// the second stage runs on pool threads, and glibc gives each thread a malloc arena of its own: state first
    /// allocated there stayed in those arenas when Complete() released it, so Complete()'s outputs (allocated on
    /// the caller's thread) could not reuse it, and the `acq stack` peak was ≈ 75 MiB above the sequential one.
    /// </summary>
    private void AllocateSecondStageState()
    {
        var sizes = new Size[_levels + 1];
        sizes[0] = new Size(_width, _height);
        for (int k = 1; k <= _levels; k++)
        {
            sizes[k] = new Size((sizes[k - 1].Width + 1) / 2, (sizes[k - 1].Height + 1) / 2);
        }
        bool half = HalfResolutionActivity;
        _bestLevel0.Create(sizes[0], MatType.CV_16SC1);
        for (int k = 1; k <= _levels; k++)
        {
            _gauss[k].Create(sizes[k], MatType.CV_16SC1);
        }
        for (int k = 0; k < _levels; k++)
        {
            if (k >= 1)
            {
                _bestGauss[k].Create(sizes[k], MatType.CV_16SC1);
            }
            if (half && k == 0)
            {
                continue;
            }
            if (!(half && k == 1))
            {
                _activity[k].Create(sizes[k], MatType.CV_32FC1);
            }
            _bestActivity[k].Create(sizes[k], MatType.CV_32FC1);
            _vote[k].Create(sizes[k], MatType.CV_8UC1);
            _mask[k].Create(sizes[k], MatType.CV_8UC1);
        }
        var depth = _options.HeightDecimation == 1 ? sizes[0] : sizes[1];
        foreach (var m in _ring.Concat(_boxRing).Concat([_binSum, _boxSum, _bestS, _beforeS, _afterS, _bestIndex, _sum, _sumSq]))
        {
            m.Create(depth, MatType.CV_32FC1);
        }
    }

    private static Mat[] NewMats(int n)
    {
        var mats = new Mat[n];
        for (int i = 0; i < n; i++)
        {
            mats[i] = new Mat();
        }
        return mats;
    }

    private double EstimateNoise(Mat full)
    {
        // A central crop is enough for a global σ and keeps this off the per-slice budget.
        int side = Math.Min(256, Math.Min(full.Width, full.Height));
        int x0 = (full.Width - side) / 2, y0 = (full.Height - side) / 2;
        // Immerkær's estimator: the mask [1 −2 1; −2 4 −2; 1 −2 1] cancels smooth image structure; on the defocused
        // ends of a stack little texture remains, so the smaller of the first and last estimates is reported.
        // Summed directly over the crop's interior: Filter2D, Absdiff and Sum through OpenCV (and its thread pool)
        // cost ≈ 1 ms a slice for these 64 k pixels.
        long sum = full.Depth() == MatType.CV_8U ? ImmerkaerSum<byte>(full, x0, y0, side) : ImmerkaerSum<ushort>(full, x0, y0, side);
        return Math.Sqrt(Math.PI / 2) * sum / (6.0 * (side - 2) * (side - 2)) / _fullScale;
    }

    internal static unsafe long ImmerkaerSum<T>(Mat image, int x0, int y0, int side)
        where T : unmanaged, IBinaryInteger<T>
    {
        long sum = 0;
        for (int y = y0 + 1; y < y0 + side - 1; y++)
        {
            T* above = (T*)image.Ptr(y - 1), row = (T*)image.Ptr(y), below = (T*)image.Ptr(y + 1);
            int x = x0 + 1;
            if (typeof(T) == typeof(byte) && Avx2.IsSupported)
            {
                // 16 pixels at a time in 16-bit lanes (|response| ≤ 16·255 fits), summed in 32-bit lanes by pmaddwd.
                var total = Vector256<int>.Zero;
                var ones = Vector256.Create((short)1);
                byte* a = (byte*)above, m = (byte*)row, b = (byte*)below;
                for (; x + 16 <= x0 + side - 1; x += 16)
                {
                    var corners = Avx2.ConvertToVector256Int16(a + x - 1) + Avx2.ConvertToVector256Int16(a + x + 1)
                        + Avx2.ConvertToVector256Int16(b + x - 1) + Avx2.ConvertToVector256Int16(b + x + 1);
                    var edges = Avx2.ConvertToVector256Int16(a + x) + Avx2.ConvertToVector256Int16(b + x)
                        + Avx2.ConvertToVector256Int16(m + x - 1) + Avx2.ConvertToVector256Int16(m + x + 1);
                    var response = corners - (edges << 1) + (Avx2.ConvertToVector256Int16(m + x) << 2);
                    total += Avx2.MultiplyAddAdjacent(Avx2.Abs(response).AsInt16(), ones);
                }
                sum += Vector256.Sum(total);
            }
            for (; x < x0 + side - 1; x++)
            {
                int corners = int.CreateTruncating(above[x - 1]) + int.CreateTruncating(above[x + 1]) + int.CreateTruncating(below[x - 1]) + int.CreateTruncating(below[x + 1]);
                int edges = int.CreateTruncating(above[x]) + int.CreateTruncating(below[x]) + int.CreateTruncating(row[x - 1]) + int.CreateTruncating(row[x + 1]);
                sum += Math.Abs(corners - 2 * edges + 4 * int.CreateTruncating(row[x]));
            }
        }
        return sum;
    }

    private SliceRegistration RegisterAndWarp(int index, double z)
    {
        double scale = _options.Magnification.IsIdentity ? 1 : 1 / _options.Magnification.RelativeScale(z, _z[0]);
        if (!_options.Register)
        {
            Warp(scale, 0, 0);
            return new SliceRegistration(index, z, 0, 0, scale, 1, 0, true, null);
        }

        int ds = _options.EffectiveRegistrationDownscale(_width, _height);
        _registrationDownscale = ds;
        _ambiguity = null;
        int crop = _options.EffectiveRegistrationCropPixels(_width, _height);
        var rect = new Rect((_width - crop * ds) / 2, (_height - crop * ds) / 2, crop * ds, crop * ds);
        if (_hann is null)
        {
            _hann = new Mat();
            Cv2.CreateHanningWindow(_hann, new Size(crop, crop), MatType.CV_32F);
        }

        // Phase correlation whitens the spectrum itself.
        _registrationHighPass = _options.RegistrationHighPass && ds > 1 && _options.RegistrationMethod == RegistrationMethod.NormalisedCrossCorrelation;
        if (index == 0)
        {
            Warp(scale, 0, 0);
            CropSmall(_current, rect, crop, _cropRegistered, 1.0 / _fullScale);
            HighPassCrop(_cropRegistered);
            _referenceCrop = _cropRegistered.Clone();
            _referenceVariance = CropVariance(_cropRegistered);
            return new SliceRegistration(index, z, 0, 0, scale, 1, 0, true, null);
        }

        // The crop is centred on the image centre, which is also the centre of the magnification correction, so
        // the same correction applies to it about its own centre.
        CropSmall(_current, rect, crop, _cropSmall, 1.0 / _fullScale);
        if (scale != 1)
        {
            // The crop warps are axis-aligned bilinear with mirrored borders, on the caller's thread with exact
            // weights: OpenCV's warpAffine (1/32 px weights, its thread pool) cost ≈ 0.25 ms CPU for each of the four
            // a slice. Output x samples the crop at (x − c) / scale + c, c = crop / 2.
            double c = crop / 2.0;
            _cropWarp.WarpFloat(_cropSmall, _cropCorrected, 1 / scale, c - c / scale, c - c / scale, reflect101: true);
        }
        else
        {
            _cropSmall.CopyTo(_cropCorrected);
        }
        HighPassCrop(_cropCorrected);
        StageDone?.Invoke("reg crop");
        var (sx, sy, response) = MeasureShift(_referenceCrop!, _cropCorrected, int.MaxValue);
        StageDone?.Invoke("reg match");
        // Sub-pixel estimates are biased towards whole pixels; the bias vanishes near zero shift, so re-measure
        // after undoing the estimate and add what is left.
        (double X, double Y) lastCorrection = (0, 0);
        for (int iteration = 0; iteration < 2 && response >= _options.MinRegistrationResponse; iteration++)
        {
            _cropWarp.WarpFloat(_cropCorrected, _cropRegistered, 1, sx, sy, reflect101: true);
            var correction = MeasureShift(_referenceCrop!, _cropRegistered, RefinementSearchPixels);
            sx += correction.X;
            sy += correction.Y;
            lastCorrection = (correction.X, correction.Y);
        }
        if (KnownShift is { } known)
        {
            var (knownX, knownY) = known(index);
            (sx, sy) = (knownX / ds, knownY / ds);
        }
        double shiftX = sx * ds, shiftY = sy * ds;
        double variance = CropVariance(_cropCorrected);
        double signalToNoise = SignalToNoise(variance, ds);
        // The ceiling is an NCC figure: with phase correlation (its response is not a correlation) nothing is held.
        if (!(response >= _options.MinRegistrationResponse) && _options.RegistrationMethod == RegistrationMethod.NormalisedCrossCorrelation
            && CorrelationCeiling(signalToNoise, SignalToNoise(_referenceVariance, ds)) < HoldCeilingFactor * _options.MinRegistrationResponse)
        {
            return Hold(index, z, scale, response, variance);
        }
        var disagreement = CrossCheck(sx, sy, response, signalToNoise);
        double step = Math.Sqrt(Math.Pow(shiftX - _shiftX, 2) + Math.Pow(shiftY - _shiftY, 2));
        string? failure = null;
        if (!(response >= _options.MinRegistrationResponse))
        {
            failure = $"the registration peak {response:0.###} is below {_options.MinRegistrationResponse:0.###} (no common texture with the previous slice).";
        }
        else if (_ambiguity is not null)
        {
            failure = _ambiguity;
        }
        else if (disagreement * ds > _options.MaxCrossCheckDisagreementPixels)
        {
            failure = string.Create(CultureInfo.InvariantCulture,
                $"the position along the surface's parallel marks is uncertain: matched against the slice before the previous one, this slice lands {disagreement * ds:0.0} px away (more than {_options.MaxCrossCheckDisagreementPixels:0.##} px; too little texture across the marks). Re-capture; report it to service if it recurs on this casing.");
        }
        else if (step > _options.MaxShiftPerSlicePixels)
        {
            failure = $"the image moved {step:0.#} px since the previous slice, more than the {_options.MaxShiftPerSlicePixels:0.#} px allowed.";
        }

        if (failure is not null)
        {
            _failedRegistrations++;
            var failed = new SliceRegistration(index, z, _shiftX, _shiftY, scale, response, double.NaN, false, failure);
            if (_options.OnRegistrationFailure == RegistrationFailurePolicy.Throw)
            {
                _registrations.Add(failed);
                throw new RegistrationFailedException(failed);
            }
            // Flagged: carry on with the last good offset so the result is still usable for diagnosis.
            Warp(scale, _shiftX, _shiftY);
            return failed;
        }

        _shiftX = shiftX;
        _shiftY = shiftY;
        Warp(scale, shiftX, shiftY);

        double residual = IndependentResidual(lastCorrection, signalToNoise);
        if (!double.IsNaN(residual))
        {
            _residualSumSq += residual * residual;
            _residualMax = Math.Max(_residualMax, residual);
            _residualCount++;
        }
        // The next slice's reference is this crop moved by the shift just found, at the crop's scale: cropping the
        // registered frame instead cost a frame-sized float conversion.
        AdvanceReference(sx, sy, variance);
        return new SliceRegistration(index, z, shiftX, shiftY, scale, response, residual, true, null);
    }

    /// <summary>The next slice's reference becomes this slice's crop moved by (sx, sy) crop pixels.</summary>
    private void AdvanceReference(double sx, double sy, double variance)
    {
        _olderReferenceCrop ??= new Mat();
        (_olderReferenceCrop, _referenceCrop) = (_referenceCrop!, _olderReferenceCrop);
        _olderReferenceVariance = _referenceVariance;
        _cropWarp.WarpFloat(_cropCorrected, _referenceCrop!, 1, sx, sy, reflect101: true);
        _referenceVariance = variance;
    }

    /// <summary>
    /// A slice too faint to register (far from focus, where only noise is left in the crop) keeps the previous
    /// slice's position: during a stack the stage moves only in z, and its jitter is a fraction of a pixel, while a
    /// match on noise can land anywhere. Such a slice carries no focused texture into the fused image or the height
    /// map, so the held position costs nothing there; it is reported as held, not as registered. When it has more
    /// texture than the reference (texture appearing as focus nears), it becomes the next slice's reference, so that
    /// matching resumes on the nearest slice that has any.
    /// </summary>
    private SliceRegistration Hold(int index, double z, double scale, double response, double variance)
    {
        _heldRegistrations++;
        Warp(scale, _shiftX, _shiftY);
        if (variance > _referenceVariance)
        {
            int ds = _registrationDownscale;
            AdvanceReference(_shiftX / ds, _shiftY / ds, variance);
        }
        return new SliceRegistration(index, z, _shiftX, _shiftY, scale, response, double.NaN, true, null, Held: true);
    }

    /// <summary>
    /// Signal-to-noise power ratio of a registration crop of this variance: the variance above the read noise's after
    /// the crop's area downscale (σ² / ds² for independent pixels), over the latter, σ the smallest estimate so far;
    /// infinite for a noise-free frame. A texture that the estimator takes for noise would otherwise make a textured
    /// slice look faint, and a slice that does not match would be held instead of failed.
    /// </summary>
    private double SignalToNoise(double variance, int ds)
    {
        double noiseVariance = _noiseMin * _noiseMin / (ds * ds) * (_registrationHighPass ? HighPassNoiseGain : 1);
        return noiseVariance > 0 ? Math.Max(variance - noiseVariance, 0) / noiseVariance : double.PositiveInfinity;
    }

    /// <summary>The crop minus its Gaussian blur (σ = 1 px), in place, when <see cref="FocusStackerOptions.RegistrationHighPass"/> applies.</summary>
    private void HighPassCrop(Mat crop)
    {
        if (!_registrationHighPass)
        {
            return;
        }
        _cropBlur ??= new Mat();
        Cv2.GaussianBlur(crop, _cropBlur, new Size(HighPassKernelPixels, HighPassKernelPixels), HighPassSigmaPixels, HighPassSigmaPixels, BorderTypes.Reflect101);
        Cv2.Subtract(crop, _cropBlur, crop);
    }

    private const double HighPassSigmaPixels = 1;
    private const int HighPassKernelPixels = 7;

    /// <summary>
    /// What the high-pass leaves of white noise's variance: Σ (δ − G)² = 1 − 2·G(0, 0) + Σ G² for the 2-D kernel
    /// G = g ⊗ g, i.e. 1 − 2·g_c² + (Σ gᵢ²)² for the 1-D kernel g (0.76 at σ = 1, 7 taps), so that a crop's
    /// signal-to-noise, and with it the hold decision, is judged on the crops as matched.
    /// </summary>
    private static readonly double HighPassNoiseGain = ComputeHighPassNoiseGain();

    private static double ComputeHighPassNoiseGain()
    {
        using var kernel = Cv2.GetGaussianKernel(HighPassKernelPixels, HighPassSigmaPixels, MatType.CV_64F)
            ?? throw new InvalidOperationException("OpenCV returned no Gaussian kernel.");
        kernel.GetArray(out double[] g);
        double sumSquares = g.Sum(v => v * v);
        double centre = g[HighPassKernelPixels / 2];
        return 1 - (2 * centre * centre) + (sumSquares * sumSquares);
    }

    private static double CropVariance(Mat crop)
    {
        Cv2.MeanStdDev(crop, out _, out var deviation);
        return deviation.Val0 * deviation.Val0;
    }

    /// <summary>
    /// The highest NCC two crops of the same scene can reach with their noise: √(s₁/(1+s₁) · s₂/(1+s₂)) for
    /// signal-to-noise power ratios s₁, s₂.
    /// </summary>
    private static double CorrelationCeiling(double a, double b)
    {
        static double Share(double s) => double.IsPositiveInfinity(s) ? 1 : s / (1 + s);
        return Math.Sqrt(Share(a) * Share(b));
    }

    /// <summary>
    /// A slice whose match falls below <see cref="FocusStackerOptions.MinRegistrationResponse"/> is held rather than
    /// failed when even a perfect match could not have scored this many times that minimum: its texture is too weak to
    /// tell a wrong match from noise. A slice with texture of its own that does not match still fails. (NCC only.)
    /// </summary>
    private const double HoldCeilingFactor = 2;

    /// <summary>
    /// How far (crop pixels) the slice before the previous one puts this crop from (sx, sy); 0 when the check is off,
    /// the score peak is round or there is no such slice yet. Only a ridge-shaped peak (the refinement's 3×3 scores curve at least
    /// <see cref="RidgeCurvatureRatio"/> times more across than along) is checked: a random texture's peak is round
    /// (ratio 1.0–1.2 measured) and pays nothing. The two references carry independent errors along the ridge, so a
    /// slice that slipped along the marks lands far from where the older one puts it.
    /// </summary>
    private double CrossCheck(double sx, double sy, double response, double signalToNoise)
    {
        if (double.IsPositiveInfinity(_options.MaxCrossCheckDisagreementPixels) || _olderReferenceCrop is null || _match.Width != 3 || !(response >= _options.MinRegistrationResponse))
        {
            return 0;
        }
        // An older reference too faint to match (a held slice near the defocused start) gives no second opinion: its
        // position along a ridge would be noise.
        if (CorrelationCeiling(signalToNoise, SignalToNoise(_olderReferenceVariance, _registrationDownscale)) < HoldCeilingFactor * _options.MinRegistrationResponse)
        {
            return 0;
        }
        var (hxx, hyy, hxy) = Curvature(_match, 1, 1);
        // Eigenvalues of the (negative definite at a peak) curvature: the steepest fall is across the ridge.
        double mean = 0.5 * (hxx + hyy), spread = Math.Sqrt(0.25 * (hxx - hyy) * (hxx - hyy) + hxy * hxy);
        double across = -(mean - spread), along = -(mean + spread);
        if (!(across > 0) || (along > 0 && across < RidgeCurvatureRatio * along))
        {
            return 0;
        }
        int margin = TemplateMargin(_cropCorrected);
        int cx = (int)Math.Round(sx), cy = (int)Math.Round(sy);
        if (Math.Abs(cx) + CoarseRefineSearchPixels > margin || Math.Abs(cy) + CoarseRefineSearchPixels > margin)
        {
            return 0;
        }
        var older = NccPeak(_olderReferenceCrop, _cropCorrected, margin, cx, cy, CoarseRefineSearchPixels);
        StageDone?.Invoke("reg cross check");
        if (!(older.Score >= _options.MinRegistrationResponse))
        {
            return 0;
        }
        return Math.Sqrt((older.X - sx) * (older.X - sx) + (older.Y - sy) * (older.Y - sy));
    }

    /// <summary>
    /// The slice's registration error as a second, independent reference sees it, in full-resolution pixels (NaN when
    /// there is no usable one). The last refinement left the crop warped close to its final position, where it was
    /// found <paramref name="lastCorrection"/> off the neighbour's reference; matched there against the reference of the
    /// slice before the neighbour, whose own error is independent, it should be found at the same offset. The two
    /// offsets differ by the two references' relative error plus the matching noise, i.e. by √2 times one slice's
    /// error if the errors are alike. Both matches are near zero shift, where sub-pixel estimates carry no bias
    /// towards whole pixels. (The last refinement correction alone cannot serve: the refinement drives it to zero
    /// against the very reference it is measured on; it read 0.001 px RMS on a stack whose slices were up to 0.108 px
    /// off.)
    /// </summary>
    private double IndependentResidual((double X, double Y) lastCorrection, double signalToNoise)
    {
        if (_olderReferenceCrop is null
            || CorrelationCeiling(signalToNoise, SignalToNoise(_olderReferenceVariance, _registrationDownscale)) < HoldCeilingFactor * _options.MinRegistrationResponse)
        {
            return double.NaN;
        }
        var older = MeasureShift(_olderReferenceCrop, _cropRegistered, RefinementSearchPixels);
        StageDone?.Invoke("reg residual");
        if (!(older.Score >= _options.MinRegistrationResponse))
        {
            return double.NaN;
        }
        double dx = older.X - lastCorrection.X, dy = older.Y - lastCorrection.Y;
        return Math.Sqrt((dx * dx) + (dy * dy)) * _registrationDownscale / Math.Sqrt(2);
    }

    /// <summary>Crop pixels the NCC template leaves out on each side, and so the largest shift it can score.</summary>
    private static int TemplateMargin(Mat crop) => Math.Max(4, Math.Min(24, crop.Width / 8));

    /// <summary>Across-to-along curvature ratio of the score peak above which the peak is a ridge.</summary>
    private const double RidgeCurvatureRatio = 2;

    /// <summary>
    /// Shift d of <paramref name="moving"/> against <paramref name="reference"/> (moving(x) ≈ reference(x − d)) and
    /// the peak score. Phase correlation or normalised cross-correlation, per the options (see docs/imaging.md).
    /// </summary>
    private (double X, double Y, double Score) MeasureShift(Mat reference, Mat moving, int searchPixels)
    {
        if (_options.RegistrationMethod == RegistrationMethod.PhaseCorrelation)
        {
            var p = Cv2.PhaseCorrelate(reference, moving, _hann!, out double response);
            return (p.X, p.Y, response);
        }
        // The template leaves out a margin (where the warped refinement crops hold replicated borders); the search
        // covers ±search around zero shift, the whole margin for the first match.
        int margin = TemplateMargin(moving);
        int search = Math.Min(searchPixels, margin);
        if (search <= 2)
        {
            var near = NccPeak(reference, moving, margin, 0, 0, search);
            return (near.X, near.Y, near.Score);
        }
        var coarse = CoarseEstimate(reference, moving, margin);
        StageDone?.Invoke("reg coarse");
        if (coarse is var (centreX, centreY))
        {
            // The coarse estimate is within a coarse pixel or so; ±2 at the crop's scale around it finds the same
            // peak as the full search unless the peak lands on the window's edge or is weak, which the full search
            // then settles (so a large shift is still found and a failure is still a failure, only slower).
            var fine = NccPeak(reference, moving, margin, centreX, centreY, CoarseRefineSearchPixels);
            if (fine.Interior && fine.Score >= _options.MinRegistrationResponse)
            {
                return (fine.X, fine.Y, fine.Score);
            }
        }
        using var template = new Mat(moving, new Rect(margin, margin, moving.Width - 2 * margin, moving.Height - 2 * margin));
        using var window = new Mat(reference, new Rect(margin - search, margin - search, reference.Width - 2 * (margin - search), reference.Height - 2 * (margin - search)));
        Cv2.MatchTemplate(window, template, _match, TemplateMatchModes.CCoeffNormed);
        Cv2.MinMaxLoc(_match, out _, out double peak, out _, out Point at);
        CheckUniqueness(_match, at, peak, 3, 1, search);
        // Named so that the profile and the tests see when the fallback decided.
        StageDone?.Invoke("reg full match");
        var (dx, dy) = SubPixel(_match, at);
        return (search - (at.X + dx), search - (at.Y + dy), peak);
    }

    /// <summary>Search radius (crop pixels) of the direct NCC around the coarse estimate.</summary>
    private const int CoarseRefineSearchPixels = 2;

    /// <summary>
    /// Integer shift (crop pixels) from a full-range match of both crops area-downscaled 4× (2× for small crops), by
    /// the direct sums: ≈ 0.4 ms CPU with the downscales, against 4.3–6.1 ms for the DFT match of the 256 px crop
    /// (OpenCV's matchTemplate on the 64 px crops measured 1.7 ms, its fixed costs dominate). Null when the crop is
    /// too small to downscale or the coarse peak is weak (the full search decides then).
    /// </summary>
    private (int X, int Y)? CoarseEstimate(Mat reference, Mat moving, int margin)
    {
        int factor = moving.Width >= 4 * CoarseMinimumPixels ? 4 : moving.Width >= 2 * CoarseMinimumPixels ? 2 : 1;
        if (factor == 1 || moving.Width % factor != 0 || moving.Height % factor != 0)
        {
            return null;
        }
        var size = new Size(moving.Width / factor, moving.Height / factor);
        Mat coarseReference = _coarse[0], coarseMoving = _coarse[1], scores = _coarse[2];
        Cv2.Resize(reference, coarseReference, size, 0, 0, InterpolationFlags.Area);
        Cv2.Resize(moving, coarseMoving, size, 0, 0, InterpolationFlags.Area);
        // The same search range as the full match (±margin crop pixels), rounded up to whole coarse pixels.
        int coarseMargin = (margin + factor - 1) / factor;
        NearNcc(coarseReference, coarseMoving, coarseMargin, 0, 0, coarseMargin, scores);
        Cv2.MinMaxLoc(scores, out _, out double peak, out _, out Point at);
        if (!(peak >= _options.MinRegistrationResponse))
        {
            return null;
        }
        // Two coarse pixels apart is beyond the main peak's own shoulder (the coarse texture is ≈ 1 px wide).
        CheckUniqueness(scores, at, peak, 2, factor, coarseMargin);
        var (dx, dy) = SubPixel(scores, at);
        // Keep the ±2 window inside the margin: a centre beyond it is clamped, and a peak on the clamped window's
        // edge sends the match to the full search.
        int limit = margin - CoarseRefineSearchPixels;
        int x = Math.Clamp((int)Math.Round((coarseMargin - (at.X + dx)) * factor), -limit, limit);
        int y = Math.Clamp((int)Math.Round((coarseMargin - (at.Y + dy)) * factor), -limit, limit);
        return (x, y);
    }

    /// <summary>Smallest side of the coarse crops: below this a low-texture crop's NCC peak is too noisy to trust.</summary>
    private const int CoarseMinimumPixels = 64;

    /// <summary>
    /// Records an ambiguity when a distinct peak of the full-range score map (cell (o, o) is zero shift, each cell
    /// <paramref name="cell"/> crop pixels) matches nearly as well as the best: the best's mismatch (1 − NCC) is at
    /// least <see cref="FocusStackerOptions.MaxCompetingPeakRatio"/> of the competitor's, and the competitor scores at
    /// least <see cref="MinCompetitorShareOfPeak"/> of the best. The second condition matters only for weak peaks:
    /// there noise dominates the mismatch, and the ratio alone called every faint texture ambiguous (a 0.39 peak
    /// against a 0.05 bump, on the simulator's head face at 10 µm/px).
    /// </summary>
    private void CheckUniqueness(Mat scores, Point best, double peak, int minDistance, int cell, int origin)
    {
        if (ScorePeakUniqueness.StrongestCompetitor(scores, best, minDistance) is { } rival
            && (1 - peak) >= _options.MaxCompetingPeakRatio * (1 - rival.Score)
            && rival.Score >= MinCompetitorShareOfPeak * peak)
        {
            int ds = _registrationDownscale;
            _ambiguity = string.Create(CultureInfo.InvariantCulture,
                $"the match is ambiguous: shifts ({(origin - best.X) * cell * ds}, {(origin - best.Y) * cell * ds}) px and ({(origin - rival.At.X) * cell * ds}, {(origin - rival.At.Y) * cell * ds}) px score {peak:0.###} and {rival.Score:0.###} (a repeating texture such as parallel tool marks). Re-capture; report it to service if it recurs on this casing.");
        }
    }

    /// <summary>
    /// A competing peak must score at least this share of the best to make a match ambiguous. With the default ratio
    /// of 0.5 it binds only below a best peak of 2/3: the calibrated behaviour on strong peaks is unchanged.
    /// </summary>
    private const double MinCompetitorShareOfPeak = 0.5;

    /// <summary>
    /// Peak of the direct NCC over shifts within ±<paramref name="search"/> of (centreX, centreY), with its parabolic
    /// sub-pixel offset; Interior is false when the peak lies on the window's edge (the true peak may be outside).
    /// </summary>
    private (double X, double Y, double Score, bool Interior) NccPeak(Mat reference, Mat moving, int margin, int centreX, int centreY, int search)
    {
        NearNcc(reference, moving, margin, centreX, centreY, search, _match);
        Cv2.MinMaxLoc(_match, out _, out double peak, out _, out Point at);
        var (dx, dy) = SubPixel(_match, at);
        bool interior = at.X > 0 && at.Y > 0 && at.X < 2 * search && at.Y < 2 * search;
        return (centreX + search - (at.X + dx), centreY + search - (at.Y + dy), peak, interior);
    }

    /// <summary>
    /// Search radius (downscaled pixels) of the refinement matches: they start from the first estimate, so what is
    /// left is under a pixel, and a 7×7 score map costs a fraction of the full search.
    /// </summary>
    private const int RefinementSearchPixels = 1;

    /// <summary>Σr, Σr² and Σr·t over one row (vectorised; float partial sums over a row of a few hundred pixels).</summary>
    private static (double Sum, double SumSq, double Dot) RowSums(ReadOnlySpan<float> r, ReadOnlySpan<float> t)
    {
        var vs = System.Numerics.Vector<float>.Zero;
        var vq = System.Numerics.Vector<float>.Zero;
        var vd = System.Numerics.Vector<float>.Zero;
        int width = System.Numerics.Vector<float>.Count, i = 0;
        for (; i + width <= r.Length; i += width)
        {
            var a = new System.Numerics.Vector<float>(r[i..]);
            var b = new System.Numerics.Vector<float>(t[i..]);
            vs += a;
            vq += a * a;
            vd += a * b;
        }
        double sum = System.Numerics.Vector.Sum(vs), sumSq = System.Numerics.Vector.Sum(vq), dot = System.Numerics.Vector.Sum(vd);
        for (; i < r.Length; i++)
        {
            sum += r[i];
            sumSq += r[i] * r[i];
            dot += r[i] * t[i];
        }
        return (sum, sumSq, dot);
    }

    /// <summary>
    /// The score map of matchTemplate's CCoeffNormed for shifts within ±<paramref name="search"/> of
    /// (centreX, centreY), by direct sums: for a 3×3 or 5×5 neighbourhood this is far cheaper than matchTemplate's
    /// DFT of the whole crop (4 ms a match). Score (ox, oy) is the shift centre + search − (ox, oy).
    /// </summary>
    private static unsafe void NearNcc(Mat reference, Mat moving, int margin, int centreX, int centreY, int search, Mat scores)
    {
        int tw = moving.Width - 2 * margin, th = moving.Height - 2 * margin, side = 2 * search + 1;
        double n = (double)tw * th;
        double st = 0, stt = 0;
        for (int y = 0; y < th; y++)
        {
            var t = new ReadOnlySpan<float>((float*)moving.Ptr(margin + y) + margin, tw);
            var (sum, sumSq, _) = RowSums(t, t);
            st += sum;
            stt += sumSq;
        }
        double templateVariance = stt - st * st / n;
        scores.Create(side, side, MatType.CV_32FC1);
        for (int oy = 0; oy < side; oy++)
        {
            for (int ox = 0; ox < side; ox++)
            {
                double sr = 0, srr = 0, srt = 0;
                for (int y = 0; y < th; y++)
                {
                    var t = new ReadOnlySpan<float>((float*)moving.Ptr(margin + y) + margin, tw);
                    var r = new ReadOnlySpan<float>((float*)reference.Ptr(margin - centreY - search + oy + y) + margin - centreX - search + ox, tw);
                    var (sum, sumSq, dot) = RowSums(r, t);
                    sr += sum;
                    srr += sumSq;
                    srt += dot;
                }
                double den = Math.Sqrt(Math.Max(srr - sr * sr / n, 0) * Math.Max(templateVariance, 0));
                scores.Set(oy, ox, den > 0 ? (float)((srt - sr * st / n) / den) : 0f);
            }
        }
    }

    /// <summary>
    /// Sub-pixel peak offset (x, y) from a 2-D quadratic fitted to the 3×3
    /// scores around the integer peak, or per-axis parabolas where the fit is not a maximum; 0 at the border of the
    /// score map. Parallel tool marks make the score peak a ridge oblique to the axes, and per-axis parabolas across
    /// an oblique ridge put the peak off it: on a striated surface that error compounded slice to slice into pixels.
    /// </summary>
    private static (double X, double Y) SubPixel(Mat scores, Point at)
    {
        int x = at.X, y = at.Y;
        if (x < 1 || y < 1 || x + 1 >= scores.Width || y + 1 >= scores.Height)
        {
            return (AxisParabola(scores, at, 1, 0), AxisParabola(scores, at, 0, 1));
        }
        double l = scores.At<float>(y, x - 1), r = scores.At<float>(y, x + 1);
        double u = scores.At<float>(y - 1, x), d = scores.At<float>(y + 1, x);
        double gx = 0.5 * (r - l), gy = 0.5 * (d - u);
        var (hxx, hyy, hxy) = Curvature(scores, x, y);
        double det = hxx * hyy - hxy * hxy;
        if (!(hxx < 0 && det > 0))
        {
            return (AxisParabola(scores, at, 1, 0), AxisParabola(scores, at, 0, 1));
        }
        // Newton step to the quadratic's maximum: −H⁻¹g.
        double ox = -(hyy * gx - hxy * gy) / det, oy = -(hxx * gy - hxy * gx) / det;
        return (Math.Clamp(ox, -0.5, 0.5), Math.Clamp(oy, -0.5, 0.5));
    }

    /// <summary>Second differences of the scores at interior cell (x, y): the curvature of the fitted quadratic.</summary>
    private static (double Hxx, double Hyy, double Hxy) Curvature(Mat scores, int x, int y)
    {
        double c = scores.At<float>(y, x);
        double hxx = scores.At<float>(y, x - 1) - 2 * c + scores.At<float>(y, x + 1);
        double hyy = scores.At<float>(y - 1, x) - 2 * c + scores.At<float>(y + 1, x);
        double hxy = 0.25 * (scores.At<float>(y + 1, x + 1) - scores.At<float>(y - 1, x + 1) - scores.At<float>(y + 1, x - 1) + scores.At<float>(y - 1, x - 1));
        return (hxx, hyy, hxy);
    }

    /// <summary>Parabolic peak offset along one axis; 0 at the border of the score map.</summary>
    private static double AxisParabola(Mat scores, Point at, int ux, int uy)
    {
        int x0 = at.X - ux, y0 = at.Y - uy, x1 = at.X + ux, y1 = at.Y + uy;
        if (x0 < 0 || y0 < 0 || x1 >= scores.Width || y1 >= scores.Height)
        {
            return 0;
        }
        double l = scores.At<float>(y0, x0), c = scores.At<float>(at.Y, at.X), r = scores.At<float>(y1, x1);
        double den = l - 2 * c + r;
        return den < 0 ? Math.Clamp(0.5 * (l - r) / den, -0.5, 0.5) : 0;
    }

    private void CropSmall(Mat source, Rect rect, int crop, Mat destination, double scale)
    {
        using var roi = new Mat(source, rect);
        if (rect.Width == crop)
        {
            roi.ConvertTo(destination, MatType.CV_32F, scale);
        }
        else
        {
            // Straight to float in one pass (see AreaDownscale): OpenCV's resize into an integer crop and the
            // conversion cost ≈ 0.4 ms CPU a slice, against 0.04 ms.
            AreaDownscale.ToFloat(roi, rect.Width / crop, destination, scale);
        }
    }

    private void Warp(double scale, double shiftX, double shiftY)
    {
        StageDone?.Invoke("registration");
        double largestMove = Math.Sqrt(shiftX * shiftX + shiftY * shiftY) + Math.Abs(1 - scale) * Math.Max(_width, _height) / 2.0;
        bool still = largestMove < 1e-3;
        // The image is warped as captured (integer pixels) and only then converted to float.
        // Level 0 of the pyramid is fixed-point 16-bit (the slice scaled to 15 bits): half the memory traffic of float
        // on every frame-sized pass, and its rounding (1/128 of an 8-bit step) is far below the read noise.
        _shortScale = Math.Pow(2, 15 - _bitDepth);
        if (still)
        {
            _current.ConvertTo(_registered, MatType.CV_16S, _shortScale);
        }
        else if (_options.WarpInterpolation == InterpolationFlags.Linear)
        {
            // Replicated borders: a black border would be a strong edge that wins the focus selection.
            var (a, bx, by) = InverseWarp(scale, shiftX, shiftY, 1);
            _imageWarp.WarpToShort(_current, _registered, a, bx, by, 15 - _bitDepth);
        }
        else if (_options.WarpInterpolation == InterpolationFlags.Cubic)
        {
            // The same separable warp with Keys' cubic (a = −0.5): keeps more contrast near the pixel pitch than
            // bilinear, at a fraction of warpAffine's cost (docs/imaging.md).
            var (a, bx, by) = InverseWarp(scale, shiftX, shiftY, 1);
            _imageWarp.WarpCubicToShort(_current, _registered, a, bx, by, 15 - _bitDepth);
        }
        else
        {
            using var m = WarpMatrix(scale, shiftX, shiftY, 1);
            Cv2.WarpAffine(_current, _registeredRaw, m, new Size(_width, _height), _options.WarpInterpolation, BorderTypes.Replicate);
            _registeredRaw.ConvertTo(_registered, MatType.CV_16S, _shortScale);
        }

        StageDone?.Invoke("warp image");
        FillDetailGain(scale, shiftX, shiftY, still);
        StageDone?.Invoke("warp detail gain");
        if (HalfResolutionActivity)
        {
            // The smooth focus map is warped at half resolution: that is all the depth and the selection use.
            if (!HalfResolutionTenengrad)
            {
                Cv2.PyrDown(_focusSource!, _focusHalf);
            }
            if (still)
            {
                _focusHalf.CopyTo(_warpedFocus);
            }
            else
            {
                var (a, bx, by) = InverseWarp(scale, shiftX, shiftY, 2);
                _focusWarp.WarpFloat(_focusHalf, _warpedFocus, a, bx, by);
            }
        }
        else if (still)
        {
            _focusUnregistered.CopyTo(_warpedFocus);
        }
        else
        {
            var (a, bx, by) = InverseWarp(scale, shiftX, shiftY, 1);
            _focusWarp.WarpFloat(_focusUnregistered, _warpedFocus, a, bx, by);
        }
    }

    private void FillDetailGain(double scale, double shiftX, double shiftY, bool still)
    {
        bool cubic = _options.WarpInterpolation == InterpolationFlags.Cubic;
        if (still || !HalfResolutionActivity || !_options.WarpAwareFusion || !(cubic || _options.WarpInterpolation == InterpolationFlags.Linear))
        {
            _detailGainX[_slot] = null;
            _detailGainY[_slot] = null;
            return;
        }
        // Activity pixel i sits on full-resolution pixel 2i (where pyrDown samples).
        var (rhoX, rhoY) = WarpDetailGain.GradientAutocorrelation(_current, 96, 3, _gainGradientX, _gainGradientY);
        var (a, bx, by) = InverseWarp(scale, shiftX, shiftY, 1);
        var gx = _detailGainX[_slot] ??= new float[(_width + 1) / 2];
        var gy = _detailGainY[_slot] ??= new float[(_height + 1) / 2];
        WarpDetailGain.Fill(gx, a, bx, 2, cubic, rhoX);
        WarpDetailGain.Fill(gy, a, by, 2, cubic, rhoY);
    }

    /// <summary>
    /// Fusion selection and depth use the focus map at half resolution (level 1 of the pyramid) when the depth runs
    /// at half resolution; the full-resolution focus map is then never warped.
    /// </summary>
    private bool HalfResolutionActivity => _levels >= 2 && _options.HeightDecimation == 2;

    /// <summary>The default path: Tenengrad computed straight at half resolution (see <see cref="TenengradHalf"/>).</summary>
    private bool HalfResolutionTenengrad => HalfResolutionActivity && _options.FocusMeasure == FocusMeasureKind.Tenengrad;

    /// <summary>
    /// Tenengrad straight at half resolution, into <see cref="_focusHalf"/>: gx² + gy² (Sobel 3×3) smoothed by a
    /// [1 2 1]⊗[1 2 1] tent and sampled at the even pixels (centred where pyrDown samples, so the depth map keeps
    /// pyrDown's geometry), then the focus window as a box of ⌊window / 2⌋ | 1 half-resolution pixels (5 for 9 px).
    /// 8-bit slices go through <see cref="TenengradHalfKernel"/>: one banded pass for the gradients, the tent, the
    /// decimation and the box, which also finds the slice's maximum for the saturation check (the full-resolution
    /// float map, its 9×9 box and pyrDown were 14 ms a slice). Other slices take the same steps through OpenCV.
    /// </summary>
    private unsafe void TenengradHalf(Mat grey)
    {
        int w = _width, h = _height, hw = (w + 1) / 2, hh = (h + 1) / 2;
        int window = (_options.FocusWindowPixels / 2) | 1;
        if (UsesEightBitTenengrad(grey))
        {
            int max = _tenengrad.Compute(grey, _focusHalf, _energyHalf, window, _fullScale);
            if (_saturationInFocusPass)
            {
                CountSaturated(max);
            }
            return;
        }
        // 16-bit slices (and tiny frames): the same quantity in float with OpenCV.
        _energyHalf.Create(hh, hw, MatType.CV_32FC1);
        var energy = _energyHalf;
        Cv2.Sobel(grey, _t1, MatType.CV_32F, 1, 0, 3, 1.0 / _fullScale, 0, BorderTypes.Reflect101);
        Cv2.Sobel(grey, _t2, MatType.CV_32F, 0, 1, 3, 1.0 / _fullScale, 0, BorderTypes.Reflect101);
        Cv2.Multiply(_t1, _t1, _t1);
        Cv2.Multiply(_t2, _t2, _t2);
        Cv2.Add(_t1, _t2, _t1);
        using (var tent = Mat.FromPixelData(3, 1, MatType.CV_32FC1, new float[] { 0.25f, 0.5f, 0.25f }))
        {
            Cv2.SepFilter2D(_t1, _t2, MatType.CV_32F, tent, tent, null, 0, BorderTypes.Reflect101);
        }
        var full = _t2;
        Parallel.For(0, hh, r =>
        {
            float* src = (float*)full.Ptr(2 * r);
            float* o = (float*)energy.Ptr(r);
            for (int k = 0; k < hw; k++)
            {
                o[k] = src[2 * k];
            }
        });
        Cv2.BoxFilter(_energyHalf, _focusHalf, MatType.CV_32F, new Size(window, window), normalize: true, borderType: BorderTypes.Reflect101);
    }

    /// <summary>
    /// x_out = scale · (x_in − c) + c − shift: undo the magnification about the centre, then the translation. At
    /// pyramid level 1 (<paramref name="factor"/> 2) full-resolution pixel x sits at x / 2, so centre and shift halve.
    /// </summary>
    /// <summary>
    /// The inverse of <see cref="WarpMatrix"/> per axis: output pixel x samples the input at a·x + bx (and y alike).
    /// </summary>
    private (double A, double Bx, double By) InverseWarp(double scale, double shiftX, double shiftY, int factor)
    {
        double cx = (_width - 1) / 2.0 / factor, cy = (_height - 1) / 2.0 / factor;
        double sx = shiftX / factor, sy = shiftY / factor;
        return (1 / scale, cx + (sx - cx) / scale, cy + (sy - cy) / scale);
    }

    private Mat WarpMatrix(double scale, double shiftX, double shiftY, int factor)
    {
        double cx = (_width - 1) / 2.0 / factor, cy = (_height - 1) / 2.0 / factor;
        double sx = shiftX / factor, sy = shiftY / factor;
        return Mat.FromPixelData(2, 3, MatType.CV_64FC1, new double[]
        {
            scale, 0, cx - scale * cx - sx,
            0, scale, cy - scale * cy - sy,
        });
    }

    private void ComputeFocusMeasure(Mat grey, Mat focus)
    {
        var window = new Size(_options.FocusWindowPixels, _options.FocusWindowPixels);
        // Tenengrad scales inside the Sobel; the other measures work on the normalised float image.
        var image = grey;
        if (_options.FocusMeasure != FocusMeasureKind.Tenengrad)
        {
            grey.ConvertTo(_image, MatType.CV_32F, 1.0 / _fullScale);
            image = _image;
        }
        switch (_options.FocusMeasure)
        {
            case FocusMeasureKind.SumModifiedLaplacian:
                Cv2.Filter2D(image, _t1, MatType.CV_32F, _kernelX, borderType: BorderTypes.Reflect101);
                Cv2.Filter2D(image, _t2, MatType.CV_32F, _kernelY, borderType: BorderTypes.Reflect101);
                Cv2.Absdiff(_t1, InputArray.Create(new Scalar(0)), _t1);
                Cv2.Absdiff(_t2, InputArray.Create(new Scalar(0)), _t2);
                Cv2.Add(_t1, _t2, _t1);
                Cv2.BoxFilter(_t1, focus, MatType.CV_32F, window, normalize: true, borderType: BorderTypes.Reflect101);
                break;
            case FocusMeasureKind.Tenengrad:
                Cv2.Sobel(image, _t1, MatType.CV_32F, 1, 0, 3, 1.0 / _fullScale);
                Cv2.Sobel(image, _t2, MatType.CV_32F, 0, 1, 3, 1.0 / _fullScale);
                Cv2.Multiply(_t1, _t1, _t1);
                Cv2.Multiply(_t2, _t2, _t2);
                Cv2.Add(_t1, _t2, _t1);
                Cv2.BoxFilter(_t1, focus, MatType.CV_32F, window, normalize: true, borderType: BorderTypes.Reflect101);
                break;
            case FocusMeasureKind.VarianceOfLaplacian:
                Cv2.Laplacian(image, _t1, MatType.CV_32F, 1);
                Cv2.BoxFilter(_t1, _t2, MatType.CV_32F, window, normalize: true, borderType: BorderTypes.Reflect101);
                Cv2.Multiply(_t1, _t1, _t1);
                Cv2.BoxFilter(_t1, focus, MatType.CV_32F, window, normalize: true, borderType: BorderTypes.Reflect101);
                Cv2.Multiply(_t2, _t2, _t2);
                Cv2.Subtract(focus, _t2, focus);
                break;
            default:
                throw new InvalidOperationException($"Unknown focus measure {_options.FocusMeasure}.");
        }
    }

    private void UpdateFusion(int index, Mat registered, Mat focus, (float[]? X, float[]? Y) detailGain)
    {
        bool half = HalfResolutionActivity;
        // Level 0 is the registered slice itself; at half resolution the warped focus map is level 1's activity
        // (at full resolution it is copied into level 0's).
        _gauss[0] = registered;
        if (half)
        {
            _activity[1] = focus;
        }
        int firstActivity = half ? 1 : 0;
        // No level keeps Laplacian coefficients per slice, only the chosen Gaussian pixels (see ReconstructFused),
        // so the per-slice pyramid is the Gaussian one alone: no pyrUp and no subtraction. Every level stays in the
        // 16-bit fixed point of level 0 (half the memory traffic of float; each pyrDown rounds to 1/128 of an 8-bit
        // step), so the only full-resolution pass is the 16-bit pyrDown that level 1 needs and nothing is converted.
        Cv2.PyrDown(registered, _gauss[1]);
        if (!half)
        {
            focus.CopyTo(_activity[0]);
        }
        for (int k = 1; k < _levels; k++)
        {
            Cv2.PyrDown(_gauss[k], _gauss[k + 1]);
            if (!(half && k == 1))
            {
                Cv2.PyrDown(_activity[k - 1], _activity[k], _gauss[k].Size());
            }
        }
        StageDone?.Invoke("fusion pyramid");

        if (index == 0)
        {
            // Slice 0 defines the output grid and is never resampled, so it has no warp weighting: its activity is
            // stored as taken.
            Debug.Assert(detailGain.X is null && detailGain.Y is null, "slice 0 was resampled");
            registered.CopyTo(_bestLevel0);
            for (int k = 1; k < _levels; k++)
            {
                _gauss[k].CopyTo(_bestGauss[k]);
            }
            for (int k = firstActivity; k < _levels; k++)
            {
                _activity[k].CopyTo(_bestActivity[k]);
            }
            _residualSum = new Mat(_gauss[_levels].Size(), MatType.CV_64FC1, Scalar.All(0));
        }
        else
        {
            int window = _options.ConsistencyWindowPixels;
            // Coarse to fine, so that the level-1 selection is at hand for level 0 at the end.
            for (int k = _levels - 1; k >= firstActivity; k--)
            {
                // Consistency filter: a pixel is replaced only where most of its neighbourhood also prefers the
                // new slice, which removes the salt-and-pepper noise of a per-pixel hard mask.
                var values = k == 0 ? registered : _gauss[k];
                var best = k == 0 ? _bestLevel0 : _bestGauss[k];
                // Level 1's activity is weighted by how much fine detail the slice's warp kept (WarpDetailGain); the
                // coarser levels keep the measure as taken (reduced above), the warp's loss being in the finest detail,
                // which level 1's choice decides (level 0 follows it).
                var (gainX, gainY) = half && k == 1 ? detailGain : (null, null);
                if (window <= ConsistentSelection.MaxWindowPixels)
                {
                    ConsistentSelection.Select(_activity[k], _bestActivity[k], values, best, _vote[k], _mask[k], window, gainX, gainY);
                }
                else
                {
                    var activity = _activity[k];
                    if (gainX is not null && gainY is not null)
                    {
                        WarpDetailGain.Apply(activity, gainX, gainY, _weightedActivity);
                        activity = _weightedActivity;
                    }
                    SelectWithOpenCv(activity, _bestActivity[k], values, best, _vote[k], _mask[k], window);
                }
            }
            StageDone?.Invoke("fusion levels");
            if (half)
            {
                // The finest level follows the level-1 choice (the activity is a 9×9 window, smooth at that scale).
                SelectLevel0(registered, _bestLevel0, _mask[1]);
            }
        }
        // The coarsest level barely changes with focus; its mean over the stack is the least noisy choice. (Summed in
        // double: accumulate takes no 16-bit signed images.)
        Cv2.Add(_residualSum!, _gauss[_levels], _residualSum!, null, MatType.CV_64F);
    }

    /// <summary>
    /// <see cref="ConsistentSelection.Select(Mat, Mat, Mat, Mat, Mat, Mat, int)"/> in OpenCV passes, for consistency
    /// windows wider than its byte counts allow.
    /// </summary>
    private static void SelectWithOpenCv(Mat activity, Mat bestActivity, Mat values, Mat bestValues, Mat vote, Mat mask, int window)
    {
        Cv2.Compare(activity, bestActivity, vote, CmpTypes.GT);
        Cv2.BoxFilter(vote, mask, MatType.CV_8U, new Size(window, window), normalize: true, borderType: BorderTypes.Reflect101);
        Cv2.Threshold(mask, mask, 127, 255, ThresholdTypes.Binary);
        values.CopyTo(bestValues, mask);
        activity.CopyTo(bestActivity, mask);
    }

    /// <summary>
    /// <paramref name="best"/> takes the registered pixels wherever the level-1 mask chose this slice (mask pixel
    /// (x, y) covers level-0 pixels 2x … 2x + 1, 2y … 2y + 1). A slice wins only a band of the frame, so most
    /// 8-byte runs of the mask are zero and cost one load: this replaced a nearest-neighbour upsampling of the mask
    /// and a masked copy, both over the whole frame.
    /// </summary>
    private static unsafe void SelectLevel0(Mat registered, Mat best, Mat mask1)
    {
        int w = registered.Width, h = registered.Height, mw = mask1.Width;
        Parallel.For(0, mask1.Height, r =>
        {
            byte* m = (byte*)mask1.Ptr(r);
            for (int y = 2 * r; y <= Math.Min(2 * r + 1, h - 1); y++)
            {
                short* src = (short*)registered.Ptr(y), dst = (short*)best.Ptr(y);
                int k = 0;
                if (Avx2.IsSupported)
                {
                    for (; k + 8 <= mw && 2 * k + 16 <= w; k += 8)
                    {
                        ulong bits = *(ulong*)(m + k);
                        if (bits == 0)
                        {
                            continue;
                        }
                        var source = Avx.LoadVector256(src + 2 * k);
                        if (bits != ulong.MaxValue)
                        {
                            // Each mask byte (0 or 255) twice, widened to 16 bits: the blend mask for 16 pixels.
                            var bytes = Vector128.CreateScalar(bits).AsByte();
                            var select = Avx2.ConvertToVector256Int16(Sse2.UnpackLow(bytes, bytes).AsSByte());
                            source = Avx2.BlendVariable(Avx.LoadVector256(dst + 2 * k).AsByte(), source.AsByte(), select.AsByte()).AsInt16();
                        }
                        Avx.Store(dst + 2 * k, source);
                    }
                }
                for (; 2 * k < w; k++)
                {
                    if (m[k] != 0)
                    {
                        dst[2 * k] = src[2 * k];
                        if (2 * k + 1 < w)
                        {
                            dst[2 * k + 1] = src[2 * k + 1];
                        }
                    }
                }
            }
        });
    }

    private void PushDepth(int index, double z, Mat warpedFocus)
    {
        _depthZ.Add(z);
        // The box and the bin length follow from the z-step, known from slice 1 on.
        if (index > 0 && _box < 0)
        {
            ChooseSmoothingKernel();
            if (_binFill >= _binSlices)
            {
                FlushBin();
            }
        }
        var focus = DepthFocus(warpedFocus);
        int handOff = Array.IndexOf(_warpedFocusSlots, focus);
        if (_binFill == 0 && _box >= 0 && _binSlices == 1 && handOff >= 0)
        {
            // A bin of one slice is the slice's focus map itself: take its hand-off buffer into the bin and give the
            // bin's spare buffer (same size) to the hand-off slot instead of copying 5 MB. The first stage refills
            // that slot only two slices later, after this stage has been waited for.
            (_warpedFocusSlots[handOff], _binSum) = (_binSum, focus);
        }
        else if (_binFill == 0)
        {
            focus.CopyTo(_binSum);
        }
        else
        {
            Cv2.Add(_binSum, focus, _binSum);
        }
        _binFill++;
        _binZSum += z;
        if (_box >= 0 && _binFill >= _binSlices)
        {
            FlushBin();
        }
    }

    private Mat DepthFocus(Mat warpedFocus)
    {
        if (_options.HeightDecimation == 1)
        {
            return warpedFocus;
        }
        if (_levels >= 2)
        {
            // The warp weighting of the fusion never writes into _activity (only into the best activity it keeps), so
            // this is the focus measure as taken.
            return _activity[1];
        }
        // Tiny frames (one pyramid level): the first stage never writes _focusHalf on this path.
        Cv2.PyrDown(warpedFocus, _focusHalf);
        return _focusHalf;
    }

    /// <summary>Moves the finished bin (the mean of its slices) into the ring and runs the smoothing as far as it can.</summary>
    private void FlushBin()
    {
        int bin = _binZ.Count;
        int slot = bin % (_box + 1);
        if (_binFill == 1)
        {
            // A bin of one slice: swap buffers instead of copying.
            (_ring[slot], _binSum) = (_binSum, _ring[slot]);
        }
        else
        {
            _binSum.ConvertTo(_ring[slot], MatType.CV_32F, 1.0 / _binFill);
        }
        _binZ.Add(_binZSum / _binFill);
        _binFill = 0;
        _binZSum = 0;
        if (bin == 0)
        {
            return;
        }
        while (_nextBox <= bin - _boxHalf)
        {
            EmitBox(_nextBox++);
        }
    }

    /// <summary>
    /// Two running boxes of L slices each make a triangle of 2L − 1 slices with σ = √((L² − 1)/6) slices; L is the
    /// odd length that comes closest to the requested σ in µm at this stack's z-step.
    /// </summary>
    private void ChooseSmoothingKernel()
    {
        double step = Math.Abs(_depthZ[1] - _depthZ[0]);
        _binSlices = 1;
        while (BoxLength(step * _binSlices) > MaxSmoothingBoxSlices)
        {
            _binSlices++;
        }
        _box = Math.Clamp(BoxLength(step * _binSlices), 1, MaxSmoothingBoxSlices);
        _boxHalf = _box / 2;
        // The whole ring state now, so memory does not depend on the z-step or grow while streaming.
        // Written once too: an allocation is only address space until its pages are touched, so a ring of which a
        // short box (coarse step) uses 6 of 10 slots stayed 40 MB smaller in the working set than one of which a long
        // box (fine step) uses all 10, and the peak then depended on the z-step after all (docs/benchmarks.md).
        var size = _binSum.Size();
        foreach (var m in _ring.Concat(_boxRing))
        {
            m.Create(size, MatType.CV_32FC1);
            m.SetTo(Scalar.All(0));
        }
    }

    private int BoxLength(double binMicrometres)
    {
        double sigmaBins = _options.ZSmoothingSigmaMicrometres / binMicrometres;
        int box = (int)Math.Round(Math.Sqrt(6 * sigmaBins * sigmaBins + 1));
        return box + 1 - box % 2;
    }

    /// <summary>
    /// A peak closer than this to either end of the stack is not trusted: there the z-smoothing window is cut off on
    /// one side, which pulls the peak towards the middle of the stack.
    /// </summary>
    internal int EndGuardSlices => Math.Max(1, _boxHalf);

    /// <summary>Slices that fall into box j's window [j − h, j + h] of a stack that has <paramref name="count"/> so far.</summary>
    private int BoxCount(int j, int count) => Math.Min(j + _boxHalf, count - 1) - Math.Max(j - _boxHalf, 0) + 1;

    /// <summary>First running box: A_j = Σ f_i over the slices within ±h of j (edges truncated), once f_{j+h} is in.</summary>
    private void EmitBox(int j)
    {
        int n = _binZ.Count, size = _box + 1;
        var target = _boxRing[j % size];
        if (j == 0)
        {
            _ring[0].CopyTo(target);
            for (int i = 1; i <= Math.Min(_boxHalf, n - 1); i++)
            {
                Cv2.Add(target, _ring[i % size], target);
            }
        }
        else
        {
            var previous = _boxRing[(j - 1) % size];
            int enter = j + _boxHalf, leave = j - _boxHalf - 1;
            AddSubtract(previous, enter < n ? _ring[enter % size] : null, leave >= 0 ? _ring[leave % size] : null, target);
        }
        _boxCounts.Add(BoxCount(j, n));
        while (_nextEmit <= j - _boxHalf)
        {
            EmitSmoothed(_nextEmit++);
        }
    }

    /// <summary>Second running box over the first's sums, normalised by the number of slices it covered.</summary>
    private void EmitSmoothed(int j)
    {
        int n = _binZ.Count, size = _box + 1;
        int enter = j + _boxHalf, leave = j - _boxHalf - 1;
        if (j == 0)
        {
            _boxRing[0].CopyTo(_boxSum);
            for (int k = 1; k <= Math.Min(_boxHalf, n - 1); k++)
            {
                Cv2.Add(_boxSum, _boxRing[k % size], _boxSum);
            }
        }
        int weight = 0;
        for (int k = Math.Max(0, j - _boxHalf); k <= Math.Min(n - 1, j + _boxHalf); k++)
        {
            weight += _boxCounts[k];
        }
        float scale = (float)(1.0 / weight);
        if (j == 0)
        {
            StartPeak(scale);
        }
        else
        {
            TrackPeak(j, scale, _lastSmoothingScale, enter < n ? _boxRing[enter % size] : null, leave >= 0 ? _boxRing[leave % size] : null);
        }
        _lastSmoothingScale = scale;
    }

    /// <summary>The depth state after the first smoothed bin s₀ = box sum · scale: peak, both neighbours s₀, index 0.</summary>
    private unsafe void StartPeak(float scale)
    {
        var box = _boxSum; var best = _bestS; var before = _beforeS; var after = _afterS; var idx = _bestIndex; var sum = _sum; var sumSq = _sumSq;
        int w = box.Width;
        Parallel.For(0, box.Height, y =>
        {
            float* pbox = (float*)box.Ptr(y), pbest = (float*)best.Ptr(y), pbefore = (float*)before.Ptr(y), pafter = (float*)after.Ptr(y);
            float* pidx = (float*)idx.Ptr(y), psum = (float*)sum.Ptr(y), psq = (float*)sumSq.Ptr(y);
            for (int x = 0; x < w; x++)
            {
                float smoothed = pbox[x] * scale;
                pbest[x] = pbefore[x] = pafter[x] = psum[x] = smoothed;
                psq[x] = smoothed * smoothed;
                pidx[x] = 0;
            }
        });
    }

    /// <summary>
    /// <paramref name="target"/> = (<paramref name="source"/> + <paramref name="plus"/>) − <paramref name="minus"/>
    /// (either term may be absent) in one pass, rounded in the order of Cv2.Add then Cv2.Subtract, which took two.
    /// </summary>
    private unsafe void AddSubtract(Mat source, Mat? plus, Mat? minus, Mat target)
    {
        int w = source.Width;
        target.Create(source.Size(), MatType.CV_32FC1);
        var a = new DepthRows.Rows(source); var p = new DepthRows.Rows(plus); var m = new DepthRows.Rows(minus); var o = new DepthRows.Rows(target);
        RunDepthRows(y => DepthRows.AddSubtract(a.Row(y), p.Row(y), m.Row(y), o.Row(y), w));
    }

    /// <summary>Runs a depth step's row pass over the whole state now, or holds it for the depth tail of Complete().</summary>
    private void RunDepthRows(Action<int> row)
    {
        if (_deferredDepthRows is { } deferred)
        {
            deferred.Add(row);
        }
        else
        {
            Parallel.For(0, _boxSum.Height, row);
        }
    }

    /// <summary>
    /// One pass per bin over the depth state: the box sum moved on by the bin entering and the bin leaving the second
    /// box, the smoothed value s = box sum · scale, the right-hand neighbour of the running peak, the running peak
    /// with its left-hand neighbour and index, and the running Σs and Σs². The previous bin's smoothed value (the
    /// left-hand neighbour of a new peak) is the box sum before it moves on times the previous scale, which is how it
    /// was computed, so it needs no image of its own. A vector of pixels none of which changes is not stored back:
    /// past their peak most pixels change nothing but the sums, and unwritten cache lines cost no write-back.
    /// Σs and Σs² are float: over at most a few hundred bins their rounding (≈ 10⁻⁵ of s̄²) is far below the
    /// variance of any curve the sharpness test could pass (the focus measure of pure noise still varies by ≈ 5 %).
    /// </summary>
    private unsafe void TrackPeak(int j, float scale, float previousScale, Mat? enter, Mat? leave)
    {
        int w = _boxSum.Width;
        var box = new DepthRows.Rows(_boxSum); var best = new DepthRows.Rows(_bestS); var before = new DepthRows.Rows(_beforeS);
        var after = new DepthRows.Rows(_afterS); var idx = new DepthRows.Rows(_bestIndex); var sum = new DepthRows.Rows(_sum);
        var sumSq = new DepthRows.Rows(_sumSq); var entering = new DepthRows.Rows(enter); var leaving = new DepthRows.Rows(leave);
        RunDepthRows(y => DepthRows.Track(box.Row(y), entering.Row(y), leaving.Row(y), best.Row(y), before.Row(y), after.Row(y),
            idx.Row(y), sum.Row(y), sumSq.Row(y), w, j, scale, previousScale));
    }

    /// <summary>
    /// Collapses the kept pyramid. Each level k kept a mosaic M_k of the chosen slices' Gaussian pixels (level 0
    /// the registered pixels themselves) rather than their Laplacian coefficients, so the detail is formed once
    /// here, coarse to fine: R_k = M_k + pyrUp(R_(k+1) − pyrDown(M_k)), from R_top = the mean of the top level. Inside
    /// a region that one slice won at every level from k up this is exactly that slice's Laplacian collapse; only
    /// along the seams between slices does the detail come from the mosaic instead of each slice's own pyramid
    /// (docs/imaging.md has the PSNR of both).
    /// </summary>
    private Mat ReconstructFused()
    {
        using var current = new Mat();
        using var down = new Mat();
        using var level0 = new Mat();
        using var levelK = new Mat();
        _residualSum!.ConvertTo(current, MatType.CV_32F, ShortUnit / _z.Count);
        _bestLevel0.ConvertTo(level0, MatType.CV_32F, ShortUnit);
        for (int k = _levels - 1; k >= 0; k--)
        {
            if (k > 0)
            {
                _bestGauss[k].ConvertTo(levelK, MatType.CV_32F, ShortUnit);
            }
            var mosaic = k == 0 ? level0 : levelK;
            Cv2.PyrDown(mosaic, down, current.Size());
            Cv2.Subtract(current, down, current);
            Cv2.PyrUp(current, _up, mosaic.Size());
            // Level 0 in place: a third frame-sized float image would raise Complete()'s peak.
            Cv2.Add(mosaic, _up, k == 0 ? level0 : current);
        }
        var fused = new Mat();
        level0.ConvertTo(fused, MatType.CV_16UC1, 65535.0);
        return fused;
    }

    /// <summary>
    /// The peak fit and, at half resolution, the upsampling; each row first runs <paramref name="tail"/>, the depth
    /// tail's row passes in order (every step reads and writes only its own row of the state, so rows are
    /// independent), which frees the depth rings only after the fit.
    /// </summary>
    private unsafe (Mat Height, Mat Confidence, double ValidFraction) BuildHeightMap(List<Action<int>> tail)
    {
        int w = _bestS.Width, h = _bestS.Height, n = _binZ.Count;
        int guard = EndGuardSlices;
        var height = new Mat(h, w, MatType.CV_32FC1);
        var confidence = new Mat(h, w, MatType.CV_32FC1);
        // Bin z relative to the first, in float: stage z may be tens of mm, but the peak fit needs sub-µm steps.
        double zOrigin = _binZ[0];
        // Two spare entries: the vector fit gathers z[k + 1] for an index k that may be the last bin.
        var z = new float[n + 2];
        for (int i = 0; i < n; i++)
        {
            z[i] = (float)(_binZ[i] - zOrigin);
        }
        // The focus measure of pure read noise: the floor that in-focus texture must clearly rise above.
        double noise = Math.Min(_noiseFirst, _noiseLast);
        var fit = new PeakFit(n, guard, (float)Math.Max(NoiseFloorGain(_options.FocusMeasure, noise), 1e-12), (float)_options.MinConfidence, (float)_options.MinPeakSharpness, (float)zOrigin);
        long valid = 0;
        var best = _bestS; var before = _beforeS; var after = _afterS; var idx = _bestIndex; var sum = _sum; var sumSq = _sumSq;
        Parallel.For(0, h, () => 0L, (y, _, localValid) =>
        {
            foreach (var step in tail)
            {
                step(y);
            }
            fixed (float* zs = z)
            {
                return localValid + fit.Row((float*)best.Ptr(y), (float*)before.Ptr(y), (float*)after.Ptr(y), (float*)idx.Ptr(y),
                    (float*)sum.Ptr(y), (float*)sumSq.Ptr(y), zs, (float*)height.Ptr(y), (float*)confidence.Ptr(y), w);
            }
        }, local => Interlocked.Add(ref valid, local));

        if (tail.Count > 0)
        {
            ReleaseSliceBuffers(null);
        }
        StageDone?.Invoke("complete: peak fit");
        if (_options.HeightDecimation == 1)
        {
            return (height, confidence, valid / (double)(w * h));
        }
        using (height)
        using (confidence)
        {
            var (heightUp, confidenceUp, validPixels) = DepthUpsampler.Upsample(height, confidence, new Size(_width, _height));
            return (heightUp, confidenceUp, validPixels / (double)(_width * _height));
        }
    }

    /// <summary>
    /// Expected value of the windowed focus measure on an image of pure Gaussian noise of σ = <paramref name="noise"/>
    /// (fraction of full scale): the kernels' energy times σ² (or E|·| for the absolute-value measure).
    /// </summary>
    private static double NoiseFloorGain(FocusMeasureKind kind, double noise) => kind switch
    {
        // Two |N(0, 6σ²)| terms from the [−1 2 −1] kernels.
        FocusMeasureKind.SumModifiedLaplacian => 2 * Math.Sqrt(2 / Math.PI) * Math.Sqrt(6) * noise,
        // Sobel 3×3: each kernel's squared weights sum to 12.
        FocusMeasureKind.Tenengrad => 24 * noise * noise,
        // 4-neighbour Laplacian: squared weights sum to 20.
        _ => 20 * noise * noise,
    };

    /// <summary>Bytes of pixel state held between slices (every image buffer the stacker owns).</summary>
    internal long PixelStateBytes
    {
        get
        {
            WaitForSecondStage();
            long total = 0;
            foreach (var m in AllMats().Distinct(ReferenceEqualityComparer.Instance).Cast<Mat?>())
            {
                if (m is not null && !m.IsDisposed && !m.Empty())
                {
                    total += (long)m.Total() * m.ElemSize();
                }
            }
            return total;
        }
    }

    private IEnumerable<Mat?> AllMats()
    {
        foreach (var m in new[] { _kernelX, _kernelY, _grey, _registeredRaw, _focusHalf, _image, _registeredSlots[0], _registeredSlots[1], _warpedFocusSlots[0], _warpedFocusSlots[1], _t1, _t2, _focusUnregistered, _up, _cropSmall, _cropCorrected, _cropRegistered, _cropBlur, _bestS, _beforeS, _afterS, _bestIndex, _sum, _sumSq, _hann, _referenceCrop, _olderReferenceCrop, _residualSum, _match, _boxSum, _saturated, _energyHalf, _binSum, _bestLevel0, _weightedActivity, _gainGradientX, _gainGradientY })
        {
            yield return m;
        }
        foreach (var set in new[] { _gauss, _activity, _bestGauss, _bestActivity, _ring, _boxRing, _vote, _mask })
        {
            foreach (var m in set)
            {
                yield return m;
            }
        }
        foreach (var m in _coarse)
        {
            yield return m;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        // The second stage may still be reading the buffers; its failure no longer matters.
        try
        {
            _pending?.GetAwaiter().GetResult();
        }
        catch (Exception)
        {
            // Disposing after a failed stack: the failure was or will never be reported through Add/Complete.
        }
        _pending = null;
        foreach (var m in AllMats())
        {
            m?.Dispose();
        }
    }
}
