using System.Globalization;
using System.Reflection;
using System.Threading.Channels;
using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Core.Storage;
using Acquisition.Core.Units;
using Acquisition.Imaging.Stacking;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Capture.Record;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;
using Acquisition.Workflow.Timing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// One capture, from "press capture" to a sealed package: preconditions, primer location, autofocus, one z-stack per
/// region with the lightings interleaved at each z and the frames streamed into the stacker while the stage moves on,
/// QC with one retry, and the package. A long press or the door aborts safely; the partial package is kept and marked.
/// </summary>
public sealed class CaptureSequence
{
    private readonly CaptureDevices _devices;
    private readonly CaptureProcessing _processing;
    private readonly CalibreTable _calibres;
    private readonly CalibrationStore _calibrations;
    private readonly AuditLog _audit;
    private readonly DataDirectory _data;
    private readonly ICapturePackageWriterFactory _packages;
    private readonly IClockSyncProbe _clock;
    private readonly IDiskSpaceProbe _disk;
    private readonly TimeProvider _time;
    private readonly TimeProvider _stamps;
    private readonly CaptureOptions _options;
    private readonly MotionProfile _motion;
    private readonly StationStateMachine? _station;
    private readonly ILogger _log;
    private readonly Lock _gate = new();
    private AbortMonitor? _running;
    private TaskCompletionSource? _ended;
    private string? _homingRequiredBecause;

    public CaptureSequence(
        CaptureDevices devices,
        CaptureProcessing processing,
        CalibreTable calibres,
        CalibrationStore calibrations,
        AuditLog audit,
        DataDirectory data,
        ICapturePackageWriterFactory packages,
        IClockSyncProbe clock,
        IDiskSpaceProbe disk,
        TimeProvider time,
        CaptureOptions options,
        MotionProfile motion,
        StationStateMachine? station = null,
        ILogger<CaptureSequence>? log = null,
        TimeProvider? stationClock = null)
    {
        options.Validate();
        motion.Validate();
        _devices = devices;
        _processing = processing;
        _calibres = calibres;
        _calibrations = calibrations;
        _audit = audit;
        _data = data;
        _packages = packages;
        _clock = clock;
        _disk = disk;
        _time = time;
        _stamps = stationClock ?? time;
        _options = options;
        _motion = motion;
        _station = station;
        _log = (ILogger?)log ?? NullLogger.Instance;
    }

    /// <summary>True while a capture runs.</summary>
    public bool IsRunning
    {
        get { lock (_gate) { return _running is not null; } }
    }

    /// <summary>
    /// Raised once per run when it ends with an outcome (complete, failed or aborted), whoever started it (button,
    /// control API, technician page): the one place the uplink learns a package was sealed.
    /// </summary>
    public event EventHandler<CaptureOutcome>? Finished;

    /// <summary>
    /// Raised at each phase change and after every stack frame, on the capture's own flow: handlers must be quick and
    /// must not throw (an exception from a handler is logged and otherwise ignored, so a display never breaks a capture).
    /// </summary>
    public event EventHandler<CaptureProgress>? Progress;

    /// <summary>Completes when no capture runs (at once if none does): its ending, safe state and seal included.</summary>
    public Task WhenIdleAsync()
    {
        lock (_gate)
        {
            return _ended?.Task ?? Task.CompletedTask;
        }
    }

    /// <summary>Aborts the running capture (as a long press would); false when none runs.</summary>
    public bool Abort(string reason)
    {
        AbortMonitor? running;
        lock (_gate)
        {
            running = _running;
        }
        running?.Abort(reason);
        return running is not null;
    }

    /// <summary>Runs one capture for <paramref name="caseContext"/> on behalf of <paramref name="user"/>.</summary>
    public async Task<CaptureOutcome> RunAsync(CaseContext caseContext, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caseContext);
        // Durations, waits and frame freshness run on the devices' clock; every timestamp that is recorded (package,
        // audit, calibration expiry) is on the station's clock, so a simulator's virtual clock never leaks into evidence.
        var run = new Run(_stamps.GetUtcNow(), _time.GetTimestamp(), new TimingLedger(_motion), caseContext);
        run.CaptureId = Ulid.NewUlid(run.StartedAt).ToString();
        using var monitor = new AbortMonitor(_devices.Panel, _devices.Stage, _devices.Lights, cancellationToken);
        lock (_gate)
        {
            if (_running is not null)
            {
                throw new InvalidOperationException("A capture is already running; wait for it or abort it.");
            }
            _running = monitor;
            _ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        CaptureOutcome outcome;
        try
        {
            outcome = await RunCoreAsync(run, user, monitor, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TaskCompletionSource? ended;
            lock (_gate)
            {
                _running = null;
                ended = _ended;
                _ended = null;
            }
            ended?.TrySetResult();
        }
        Finished?.Invoke(this, outcome);
        return outcome;
    }

    private async Task<CaptureOutcome> RunCoreAsync(Run run, string user, AbortMonitor monitor, CancellationToken outer)
    {
        // One atomic step shared with the service diagnostics (they hold the station in Servicing): the reason of the
        // state that holds the station says why, e.g. "a self-test started by alice is running; wait for it to finish".
        if (_station is not null && !_station.TryTransition(StationState.Ready, StationState.Capturing, $"capture {run.CaptureId} started", out var holding))
        {
            throw new InvalidOperationException($"The station is {holding.To}, not Ready, so a capture cannot start now: {holding.Reason.TrimEnd('.')}.");
        }
        try
        {
            return await RunCapturingAsync(run, user, monitor, outer).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Past the capture's own handling: the audit log could not be written (disk full), the record or the seal
            // failed in a way nothing expected, memory ran out. The station must not stay in Capturing with the lights
            // on: make it safe, say so, and go to Fault, which homing (acq home) clears once the cause is fixed.
            _log.LogCritical(ex, "Capture {CaptureId} ended on an error outside its own handling", run.CaptureId);
            await EmergencySafeAsync().ConfigureAwait(false);
            // TryTransition: a stop may have moved the station on meanwhile, and this must not replace the real error.
            _station?.TryTransition(StationState.Capturing, StationState.Fault,
                $"capture {run.CaptureId} ended on an error ({ex.GetType().Name}: {ex.Message}); fix the cause (the station log has it), then home the stage", out _);
            throw;
        }
    }

    /// <summary>Lights off and motion held, each attempted whatever the other does; for when the ordinary ending could not run.</summary>
    private async Task EmergencySafeAsync()
    {
        try
        {
            await _devices.Lights.AllOffAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "The lights could not be switched off");
        }
        try
        {
            await _devices.Stage.FeedHoldAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "The stage could not be held");
        }
        try
        {
            _devices.Panel.ShowIndicator(StatusIndicator.Fault);
        }
        catch (Exception ex)
        {
            _log.LogError(ex, "The panel could not show the fault");
        }
    }

    private async Task<CaptureOutcome> RunCapturingAsync(Run run, string user, AbortMonitor monitor, CancellationToken outer)
    {
        _devices.Panel.ShowIndicator(StatusIndicator.Busy);
        await _audit.AppendAsync(user, "capture.started", new { captureId = run.CaptureId, run.Case.CaseNumber, run.Case.Exhibit, run.Case.Item, run.Case.Calibre },
            CancellationToken.None).ConfigureAwait(false);
        _log.LogInformation("Capture {CaptureId} started for case {Case} item {Item}", run.CaptureId, run.Case.CaseNumber, run.Case.Item);

        var token = monitor.Token;
        HardwareFaultException? fault = null;
        try
        {
            Report(run, CapturePhase.Preconditions);
            await CheckPreconditionsAsync(run, token).ConfigureAwait(false);
            monitor.WatchStageDoor();
            run.FramesPlanned = run.Recipe!.Regions.Sum(r => r.SliceCount * r.Lightings.Count);
            run.Writer = _packages.Create();
            await run.Writer.BeginAsync(run.CaptureId, run.Case, token).ConfigureAwait(false);
            Report(run, CapturePhase.LocatingPrimer);
            await LocatePrimerAsync(run, token).ConfigureAwait(false);
            Report(run, CapturePhase.Autofocus);
            await AutofocusAsync(run, token).ConfigureAwait(false);
            for (var i = 0; i < run.Recipe!.Regions.Count; i++)
            {
                run.RegionIndex = i;
                await CaptureRegionAsync(run, run.Recipe.Regions[i], token).ConfigureAwait(false);
            }
            await VerifyPositionAsync(run, "at the end of the capture", token).ConfigureAwait(false);
            var failed = run.Regions.Where(r => r.Status != "passed").ToList();
            run.Status = failed.Count == 0 ? CaptureStatus.Complete : CaptureStatus.Failed;
            foreach (var r in failed)
            {
                run.Reasons.Add($"{r.Region} failed QC: {string.Join("; ", r.Attempts[^1].Reasons)}");
            }
        }
        catch (CaptureRefusedException ex)
        {
            run.Status = CaptureStatus.Refused;
            run.Reasons.Add(ex.Message);
        }
        catch (UnknownCalibreException ex)
        {
            run.Status = CaptureStatus.Refused;
            run.Reasons.Add(ex.Message);
        }
        catch (Exception ex) when (IsCancellation(ex) && monitor.Reason is not null)
        {
            run.Status = CaptureStatus.Aborted;
            run.Reasons.Add(monitor.Reason);
        }
        catch (Exception ex) when (IsCancellation(ex) && outer.IsCancellationRequested)
        {
            run.Status = CaptureStatus.Aborted;
            run.Reasons.Add("the station is stopping");
        }
        catch (CaptureStepFailedException ex)
        {
            run.Status = CaptureStatus.Failed;
            run.Reasons.Add(ex.Message);
        }
        catch (Exception ex) when (ex is not (HardwareFaultException or OutOfMemoryException) && !(IsCancellation(ex) && (monitor.Reason is not null || outer.IsCancellationRequested)))
        {
            // A defect, not a casing or hardware problem: the capture still ends the way every capture ends (safe
            // state, what was stacked sealed, the audit entry, back to Ready), so one bug cannot hold the station.
            _log.LogError(ex, "Capture {CaptureId} failed on an unexpected error", run.CaptureId);
            run.Status = CaptureStatus.Failed;
            run.Reasons.Add($"unexpected error ({ex.GetType().Name}: {ex.Message}); report it with the station log");
        }
        catch (HardwareFaultException ex)
        {
            // A device failing while the door opens is still an abort by the door: say both. GRBL's own door input
            // is not debounced, so a move can fail on GRBL's Door state before the panel reports the door: look again.
            monitor.RecheckDoor();
            run.Status = monitor.Reason is not null ? CaptureStatus.Aborted : CaptureStatus.Failed;
            if (monitor.Reason is not null)
            {
                run.Reasons.Add(monitor.Reason);
            }
            run.Reasons.Add("hardware fault: " + ex.Message);
            fault = ex;
        }

        run.AcquisitionEnded = _time.GetElapsedTime(run.StartedTimestamp);
        await MakeSafeAsync(run, monitor, fault).ConfigureAwait(false);
        var timing = run.Ledger.Report(run.AcquisitionEnded);
        var record = await BuildRecordAsync(run, timing).ConfigureAwait(false);
        run.Corrections?.Dispose();
        Report(run, CapturePhase.Sealing);
        string? packagePath = null;
        if (run.Writer is not null)
        {
            try
            {
                packagePath = await run.Writer.SealAsync(record, CancellationToken.None).ConfigureAwait(false);
                if (run.Writer.DurabilityWarning is { } warning)
                {
                    _log.LogWarning("Capture {CaptureId}: {Warning}", run.CaptureId, warning);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                run.Writer.Abandon();
                _log.LogError(ex, "Capture {CaptureId} could not be sealed", run.CaptureId);
                record = record with { Status = record.Status == CaptureStatus.Complete ? CaptureStatus.Failed : record.Status, Reasons = [.. record.Reasons, "the package could not be sealed: " + ex.Message] };
            }
        }
        await _audit.AppendAsync(user, run.Status == CaptureStatus.Refused ? "capture.refused" : "capture.finished",
            new { captureId = run.CaptureId, status = record.Status.ToString(), reasons = record.Reasons, package = packagePath }, CancellationToken.None).ConfigureAwait(false);
        _log.LogInformation("Capture {CaptureId} {Status}: {Reasons}; {Timing}", run.CaptureId, record.Status, string.Join("; ", record.Reasons), timing);

        var isFault = fault is not null && monitor.Reason is null;
        _devices.Panel.ShowIndicator(isFault ? StatusIndicator.Fault : StatusIndicator.Ready);
        if (_station is not null && _station.State == StationState.Capturing)
        {
            _station.TransitionTo(isFault ? StationState.Fault : StationState.Ready,
                $"capture {run.CaptureId} {record.Status.ToString().ToLowerInvariant()}" + (record.Reasons.Count > 0 ? ": " + record.Reasons[0] : string.Empty));
        }
        Report(run, CapturePhase.Finished);
        return new CaptureOutcome(record, packagePath, timing);
    }

    private void Report(Run run, CapturePhase phase, RegionRecipe? region = null, string? lighting = null, int attempt = 0, int slice = 0)
    {
        var handler = Progress;
        if (handler is null)
        {
            return;
        }
        var elapsed = _time.GetElapsedTime(run.StartedTimestamp);
        TimeSpan? remaining = null;
        if (phase == CapturePhase.Finished)
        {
            remaining = TimeSpan.Zero;
        }
        else if (run.FramesDone > 0 && run.StackingStartedAt is { } first)
        {
            // Stacking dominates a capture and runs at a steady rate, so the rate so far predicts the rest well.
            var perFrame = (elapsed - first) / run.FramesDone;
            remaining = perFrame * Math.Max(0, run.FramesPlanned - run.FramesDone);
        }
        var progress = new CaptureProgress(run.CaptureId, phase, region?.Region.ToString(), run.RegionIndex, run.Recipe?.Regions.Count ?? 0,
            lighting, attempt, slice, region?.SliceCount ?? 0, run.FramesDone, run.FramesPlanned, elapsed, remaining);
        try
        {
            handler(this, progress);
        }
        catch (Exception ex)
        {
            _log.LogWarning(ex, "A capture progress handler failed; the capture goes on");
        }
    }

    private static bool IsCancellation(Exception ex) =>
        ex is OperationCanceledException || ex is ChannelClosedException { InnerException: OperationCanceledException };

    // ---------------------------------------------------------------- preconditions

    private async Task CheckPreconditionsAsync(Run run, CancellationToken ct)
    {
        var calibre = _calibres.Resolve(run.Case.Calibre);
        run.Calibre = calibre;
        run.Recipe = _calibres.RecipeFor(calibre);
        var segments = _devices.Lights.SegmentCount;
        var lightings = run.Recipe.Regions.SelectMany(r => r.Lightings).Append(run.Recipe.Overview.Lighting);
        var tooHigh = lightings.SelectMany(l => l.Segments).Where(s => s >= segments).Distinct().ToList();
        if (tooHigh.Count > 0)
        {
            throw new CaptureRefusedException($"Recipe '{run.Recipe.Name}' ({run.Recipe.SourceFile}) uses ring segment(s) {string.Join(", ", tooHigh)}, but the ring light has {segments} (0–{segments - 1}). Fix the recipe.");
        }

        if (!_devices.Panel.DoorClosed)
        {
            throw new CaptureRefusedException("The door is open: close it and press capture again.");
        }
        run.CasingSensorPresent = _devices.Panel.CasingPresent is not null;
        if (_devices.Panel.CasingPresent == false)
        {
            throw new CaptureRefusedException("No casing in the holder: insert the casing head-up and press capture again.");
        }

        var now = _stamps.GetUtcNow();
        var required = _options.RequiredCalibrations.Append(CalibrationKind.PixelSize).Distinct().ToList();
        var check = _calibrations.Check(required, now);
        run.Calibrations = check.Used;
        run.CalibrationCheck = check;
        if (!check.AllValid)
        {
            if (!_options.AllowInvalidCalibration)
            {
                throw new CaptureRefusedException("Calibration not valid: " + check.Describe()
                    + " (or set Station:Capture:AllowInvalidCalibration, and the package will say so).");
            }
            run.CalibrationOverridden = true;
        }
        var pixelRecord = check.Used.FirstOrDefault(r => r.Kind == CalibrationKind.PixelSize)
            ?? throw new CaptureRefusedException("No PixelSize calibration exists at all, so stage moves cannot be derived from the image: run the pixel-size calibration.");
        try
        {
            run.Pixel = PixelCalibration.FromRecord(pixelRecord);
        }
        catch (InvalidDataException ex)
        {
            throw new CaptureRefusedException(ex.Message, ex);
        }
        var camera = _devices.Camera.Settings;
        foreach (var region in run.Recipe.Regions)
        {
            if (_processing.Stacker.CannotStack(region, run.Calibre!, camera.Width, camera.Height, run.Pixel) is { } why)
            {
                throw new CaptureRefusedException($"Recipe '{run.Recipe.Name}' ({run.Recipe.SourceFile}) cannot be stacked with this camera: {why}");
            }
        }
        run.Corrections = CaptureCalibrations.Load(_calibrations, check.Used, now,
            run.Recipe.Regions.SelectMany(r => r.Lightings).Append(run.Recipe.Overview.Lighting).ToList(),
            segments, camera.Width, camera.Height);
        run.Calibrations = [.. check.Used, .. run.Corrections.Records.Where(r => check.Used.All(u => u.Id != r.Id))];

        run.ClockSynchronised = _clock.IsSynchronised(out var clockDetail);
        if (!run.ClockSynchronised)
        {
            if (!_options.AllowUnsynchronisedClock)
            {
                throw new CaptureRefusedException($"The system clock is not NTP-synchronised ({clockDetail}): timestamps would not be trustworthy. Fix time synchronisation, or set Station:Capture:AllowUnsynchronisedClock and the package will say so.");
            }
            run.ClockOverridden = true;
        }

        var needed = EstimatePackageBytes(run.Recipe, _devices.Camera.Settings, _options.KeepRawStacks) + _options.DiskReserveBytes;
        var available = _disk.AvailableBytes(_data.Root);
        if (available < needed)
        {
            throw new CaptureRefusedException(string.Create(CultureInfo.InvariantCulture,
                $"Too little free disk: this capture needs about {needed / 1048576.0:0} MB (recipe '{run.Recipe.Name}' with reserve) but {available / 1048576.0:0} MB are free in {_data.Root}. Free space (or let the uplink drain the outbox) and try again."));
        }

        await ResumeHeldStageAsync(ct).ConfigureAwait(false);
        var lostBecause = _homingRequiredBecause;
        if (!_devices.Stage.Status.IsHomed || lostBecause is not null)
        {
            _log.LogInformation("Stage not homed{Because}: homing before capture {CaptureId}", lostBecause is null ? "" : " (" + lostBecause + ")", run.CaptureId);
            await _devices.Stage.HomeAsync(ct).ConfigureAwait(false);
            _homingRequiredBecause = null;
        }
        run.Homed = true;
        run.LastPosition = _devices.Stage.Status.Position;
    }

    /// <summary>
    /// A capture aborted by the door leaves GRBL in Door state (or Hold) with the interrupted move still planned; GRBL
    /// accepts no motion until a cycle start after the door has closed. The door is closed by now (checked above), so
    /// send the cycle start and let the held move finish; the position stays known, so no homing is needed.
    /// </summary>
    private async Task ResumeHeldStageAsync(CancellationToken ct)
    {
        try
        {
            if (await _devices.Stage.ResumeIfHeldAsync(_time, ct).ConfigureAwait(false) is { } heldIn)
            {
                _log.LogInformation("The stage was held in {State} state from an earlier door opening or abort; the door is closed, resumed it", heldIn);
            }
        }
        catch (StageHeldException ex)
        {
            throw new CaptureRefusedException(ex.Message);
        }
    }

    /// <summary>A generous estimate of what the package needs: uncompressed images, float heights, and raw frames if kept, for a retry too.</summary>
    public static long EstimatePackageBytes(Recipe recipe, CameraSettings camera, bool keepRawStacks)
    {
        long pixels = (long)camera.Width * camera.Height;
        long total = 1024 * 1024;
        foreach (var r in recipe.Regions)
        {
            total += (r.Lightings.Count * pixels * 2) + (pixels * 4) + (pixels * 2);
            if (keepRawStacks)
            {
                total += 2L * r.SliceCount * r.Lightings.Count * pixels * Frame.BytesPerPixelOf(camera.Format);
            }
        }
        return total;
    }

    // ---------------------------------------------------------------- primer

    /// <summary>After a centring move the circle's offset must at least halve, or the detection is not following one feature.</summary>
    private const double CentringShrinkRequired = 0.5;

    private async Task LocatePrimerAsync(Run run, CancellationToken ct)
    {
        var recipe = run.Recipe!;
        var pixel = run.Pixel!;
        var overview = recipe.Overview;
        await ConfigureExposureAsync(overview.Exposure, ct).ConfigureAwait(false);
        await _devices.Lights.SetAsync(LightFor(run, overview.Lighting), ct).ConfigureAwait(false);
        var load = _options.LoadPosition;
        await MoveXyAsync(run, load.X, load.Y, ct).ConfigureAwait(false);
        await MoveZAsync(run, load.Z, ct).ConfigureAwait(false);

        var expectedDiameter = run.Calibre!.PrimerDiameter;
        var expectedRadiusPx = expectedDiameter.Value / 2 / pixel.PixelSizeX.Value;
        var tol = _options.PrimerDiameterTolerance;
        var seen = new List<string>();
        var previousOffset = double.NaN;
        var followsTheStage = true;
        for (var iteration = 1; ; iteration++)
        {
            var frame = await CaptureFrameAsync(run, ct).ConfigureAwait(false);
            var found = _processing.PrimerDetector.Detect(frame, overview.Downscale, expectedRadiusPx * (1 - tol), expectedRadiusPx * (1 + tol));
            if (found is null)
            {
                throw new CaptureStepFailedException("primer location", string.Create(CultureInfo.InvariantCulture,
                    $"no primer found: no circle of {expectedDiameter.Millimetres:0.00} mm ± {tol * 100:0}% (the {run.Calibre.Name} primer) in the overview. Check that the casing is a {run.Calibre.Name}, seated head-up and centred in the holder."));
            }
            var diameter = 2 * found.RadiusPixels * pixel.PixelSizeX.Value;
            if (Math.Abs(diameter - expectedDiameter.Value) > tol * expectedDiameter.Value)
            {
                throw new CaptureStepFailedException("primer location", string.Create(CultureInfo.InvariantCulture,
                    $"the primer measures {diameter / 1000:0.00} mm, but a {run.Calibre.Name} primer is {expectedDiameter.Millimetres:0.00} mm ± {tol * 100:0}%: wrong calibre entered, or wrong casing?"));
            }
            var dx = found.CentreXPixels - ((frame.Width - 1) / 2.0);
            var dy = found.CentreYPixels - ((frame.Height - 1) / 2.0);
            var (offX, offY) = pixel.ImageOffsetToStage(dx, dy);
            var offset = Math.Sqrt((offX.Value * offX.Value) + (offY.Value * offY.Value));
            seen.Add(string.Create(CultureInfo.InvariantCulture, $"({dx:0.0}, {dy:0.0}) px at X {run.LastPosition.X.Value:0} Y {run.LastPosition.Y.Value:0}"));
            // A move by the measured offset brings the same circle near the centre, even with a pixel size some tens of
            // per cent off; a circle that ends up as far away (or farther) is not one feature followed by the stage.
            // Judged only while the previous offset was well outside the tolerance: near it, noise alone moves it.
            followsTheStage &= double.IsNaN(previousOffset) || previousOffset <= 3 * _options.PrimerCentreToleranceMicrometres
                || offset <= CentringShrinkRequired * previousOffset;
            previousOffset = offset;
            if (offset <= _options.PrimerCentreToleranceMicrometres)
            {
                var at = run.LastPosition;
                run.Primer = new PrimerRecord(at.X.Value, at.Y.Value, diameter, expectedDiameter.Value, offset, iteration);
                run.PrimerCentre = at;
                return;
            }
            if (iteration >= _options.MaxCentringIterations)
            {
                var advice = followsTheStage
                    ? "Check the pixel-size and rotation calibration."
                    : $"The circle found did not follow the stage's moves, so it is probably not the primer: check that the casing is a {run.Calibre.Name}, seated head-up and centred in the holder; if it is, check the pixel-size and rotation calibration.";
                throw new CaptureStepFailedException("primer location", string.Create(CultureInfo.InvariantCulture,
                    $"could not centre the primer within ±{_options.PrimerCentreToleranceMicrometres:0} µm after {iteration} moves (last offset {offset:0.0} µm; image offsets {string.Join(", ", seen)}). {advice}"));
            }
            var (moveX, moveY) = (offX, offY);
            await MoveXyAsync(run, run.LastPosition.X + moveX, run.LastPosition.Y + moveY, ct).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- autofocus

    private async Task AutofocusAsync(Run run, CancellationToken ct)
    {
        var o = run.Recipe!.Overview;
        var started = _time.GetTimestamp();
        var centre = run.LastPosition.Z;
        var coarse = new List<FocusSample>();
        var half = o.AutofocusRange / 2;
        for (var z = centre - half; z <= centre + half + new Micrometres(1e-6); z += o.AutofocusCoarseStep)
        {
            coarse.Add(await FocusSampleAsync(run, z, started, o, ct).ConfigureAwait(false));
        }
        var peak = IndexOfMax(coarse);
        if (peak == 0 || peak == coarse.Count - 1)
        {
            throw new CaptureStepFailedException("autofocus", string.Create(CultureInfo.InvariantCulture,
                $"no focus peak found within ±{half.Value:0} µm of Z {centre.Value:0}: the sharpest point is at the end of the sweep ({coarse[peak].ZMicrometres:0} µm). The casing may sit too high or too low in the holder."));
        }
        var prominence = Prominence(coarse.Select(s => s.Score).ToList(), coarse[peak].Score);
        if (prominence < _options.AutofocusMinPeakProminence)
        {
            throw new CaptureStepFailedException("autofocus", string.Create(CultureInfo.InvariantCulture,
                $"no clear focus peak within ±{half.Value:0} µm (prominence {prominence:0.0}, needs {_options.AutofocusMinPeakProminence:0.0}): is there a casing under the lens, and is it lit?"));
        }
        var fine = new List<FocusSample>();
        var from = new Micrometres(coarse[peak].ZMicrometres) - o.AutofocusCoarseStep;
        var to = new Micrometres(coarse[peak].ZMicrometres) + o.AutofocusCoarseStep;
        for (var z = from; z <= to + new Micrometres(1e-6); z += o.AutofocusFineStep)
        {
            fine.Add(await FocusSampleAsync(run, z, started, o, ct).ConfigureAwait(false));
        }
        var best = IndexOfMax(fine);
        var focusZ = fine[best].ZMicrometres;
        if (best > 0 && best < fine.Count - 1)
        {
            // A parabola through the peak and its neighbours gives the peak between samples.
            var (a, b, c) = (fine[best - 1].Score, fine[best].Score, fine[best + 1].Score);
            var denominator = a - (2 * b) + c;
            if (denominator < 0)
            {
                focusZ += 0.5 * (a - c) / denominator * o.AutofocusFineStep.Value;
            }
        }
        run.FocusZ = new Micrometres(focusZ);
        run.Autofocus = new AutofocusRecord(focusZ, coarse, fine, run.AutofocusWindow);
    }

    private async Task<FocusSample> FocusSampleAsync(Run run, Micrometres z, long started, OverviewRecipe o, CancellationToken ct)
    {
        if (_time.GetElapsedTime(started) > o.AutofocusTimeLimit)
        {
            throw new CaptureStepFailedException("autofocus", string.Create(CultureInfo.InvariantCulture,
                $"no focus peak found within the time limit of {o.AutofocusTimeLimit.TotalSeconds:0} s."));
        }
        await MoveZAsync(run, z, ct).ConfigureAwait(false);
        var frame = await CaptureFrameAsync(run, ct).ConfigureAwait(false);
        run.AutofocusWindow = AutofocusWindow(run, frame);
        return new FocusSample(run.LastPosition.Z.Value, _processing.Focus.Score(frame, run.AutofocusWindow));
    }

    /// <summary>The centred square on the primer the autofocus scores (<see cref="CaptureOptions.AutofocusWindowOfPrimerDiameter"/>), in pixels.</summary>
    private FocusWindow AutofocusWindow(Run run, Frame frame)
    {
        var side = _options.AutofocusWindowOfPrimerDiameter * run.Calibre!.PrimerDiameter.Value;
        return FocusWindow.Centred(frame.Width, frame.Height,
            (int)Math.Round(side / run.Pixel!.PixelSizeX.Value), (int)Math.Round(side / run.Pixel.PixelSizeY.Value));
    }

    private static int IndexOfMax(List<FocusSample> curve)
    {
        var best = 0;
        for (var i = 1; i < curve.Count; i++)
        {
            if (curve[i].Score > curve[best].Score)
            {
                best = i;
            }
        }
        return best;
    }

    private static double Prominence(List<double> values, double peak)
    {
        var sorted = values.Order().ToList();
        var median = sorted[sorted.Count / 2];
        var deviations = values.Select(v => Math.Abs(v - median)).Order().ToList();
        var mad = deviations[deviations.Count / 2];
        return (peak - median) / Math.Max(mad, 1e-12 + (Math.Abs(median) * 1e-6));
    }

    // ---------------------------------------------------------------- position check

    /// <summary>
    /// GRBL is open loop: a stalling motor loses steps and the controller never knows, so its reported position goes
    /// on following the commands. The overview image is independent evidence for X and Y: back at the primer centre
    /// (after the lateral moves of the stacks) the primer must still be centred. Otherwise the stage is not where the
    /// controller says: a hardware fault that needs homing (the next capture homes first).
    /// Z is not checked this way: at the primer centre the overview's focus curve is too broad and has more than one
    /// peak (breech face, firing-pin impression), so a frame at the autofocus plane cannot tell a lost 40 µm.
    /// </summary>
    private async Task VerifyPositionAsync(Run run, string when, CancellationToken ct)
    {
        var o = run.Recipe!.Overview;
        var pixel = run.Pixel!;
        await ConfigureExposureAsync(o.Exposure, ct).ConfigureAwait(false);
        await _devices.Lights.SetAsync(LightFor(run, o.Lighting), ct).ConfigureAwait(false);
        await MoveXyAsync(run, run.PrimerCentre.X, run.PrimerCentre.Y, ct).ConfigureAwait(false);
        await MoveZAsync(run, run.FocusZ, ct).ConfigureAwait(false);
        var frame = await CaptureFrameAsync(run, ct).ConfigureAwait(false);

        var expectedRadiusPx = run.Calibre!.PrimerDiameter.Value / 2 / pixel.PixelSizeX.Value;
        var tol = _options.PrimerDiameterTolerance;
        var found = _processing.PrimerDetector.Detect(frame, o.Downscale, expectedRadiusPx * (1 - tol), expectedRadiusPx * (1 + tol));
        string? lost = null;
        if (found is null)
        {
            lost = "the primer is no longer seen at its centre position, so X/Y are not where the controller reports them";
        }
        else
        {
            var (offX, offY) = pixel.ImageOffsetToStage(found.CentreXPixels - ((frame.Width - 1) / 2.0), found.CentreYPixels - ((frame.Height - 1) / 2.0));
            var offset = Math.Sqrt((offX.Value * offX.Value) + (offY.Value * offY.Value));
            // Generous: centring reached ±tolerance, and the overview's circle fit works at reduced resolution.
            var limit = Math.Max(3 * _options.PrimerCentreToleranceMicrometres, 3 * o.Downscale * pixel.PixelSizeX.Value);
            run.PositionCheckOffsets.Add(offset);
            if (offset > limit)
            {
                lost = string.Create(CultureInfo.InvariantCulture,
                    $"the primer centre appears {offset:0} µm from the optical axis (X {offX.Value:+0;-0} µm, Y {offY.Value:+0;-0} µm; at most {limit:0} µm expected), so X/Y are not where the controller reports them");
            }
        }
        if (lost is null)
        {
            return;
        }
        var message = $"Stage position check {when} failed: {lost}. A motor probably stalled (lost steps); the stage must be homed before the next capture.";
        _homingRequiredBecause = "the position check failed";
        _log.LogError("Capture {CaptureId}: {Message}", run.CaptureId, message);
        throw new HardwareFaultException(message, requiresHoming: true);
    }

    // ---------------------------------------------------------------- regions

    private async Task CaptureRegionAsync(Run run, RegionRecipe region, CancellationToken ct)
    {
        var attempts = new List<RegionAttemptRecord>();
        var current = region;
        string? adjustment = null;
        RegionOutput? output = null;
        IReadOnlyList<double> slices = [];
        var centre = run.PrimerCentre;
        var x = centre.X + region.OffsetX;
        var y = centre.Y + region.OffsetY;
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var (result, sliceZ) = await StackAsync(run, current, attempt, x, y, ct).ConfigureAwait(false);
            slices = sliceZ;
            var mask = RegionQualityEvaluator.Mask(result.Width, result.Height, current.Mask, run.Pixel!);
            var metrics = RegionQualityEvaluator.Measure(result, mask, current.ZFrom, current.ZTo, current.ZStep);
            var reasons = RegionQualityEvaluator.Check(metrics, current.Qc);
            attempts.Add(new RegionAttemptRecord(attempt, current.Exposure.TotalMilliseconds, current.ZFrom.Value, current.ZTo.Value, current.ZStep.Value,
                adjustment, metrics, reasons.Count == 0, reasons, result.RegistrationDownscale, result.RegistrationCropPixels));
            output = new RegionOutput(current, result, run.Pixel!, mask, reasons.Count == 0);
            // The scale and crop vary by region (narrowed near the rim, finer where the head face is short); a log
            // reader judging a region's registration needs them as much as capture.json's reader does.
            _log.LogInformation("Capture {CaptureId} {Region} attempt {Attempt}: focus coverage {CoveragePercent:0.#} %, registration residual {ResidualPixels:0.###} px at 1/{RegistrationDownscale} scale on a {RegistrationCropPixels} px crop, {HeldSlices} slices held",
                run.CaptureId, region.Region, attempt, metrics.FocusCoveragePercent, metrics.RegistrationResidualPixels, result.RegistrationDownscale, result.RegistrationCropPixels, metrics.HeldSlices);
            if (reasons.Count == 0)
            {
                break;
            }
            _log.LogWarning("Capture {CaptureId} {Region} attempt {Attempt} failed QC: {Reasons}", run.CaptureId, region.Region, attempt, string.Join("; ", reasons));
            if (attempt == 1)
            {
                // A stalled motor also fails QC: retrying on a lost position would only waste the retry.
                await VerifyPositionAsync(run, $"before retrying {region.Region}", ct).ConfigureAwait(false);
            }
            (current, adjustment) = AdjustForRetry(current, metrics);
            run.FramesPlanned += current.SliceCount * current.Lightings.Count;
        }
        var files = await run.Writer!.WriteRegionAsync(output!, ct).ConfigureAwait(false);
        run.Regions.Add(new RegionRecord(region.Region.ToString(), attempts[^1].Passed ? "passed" : "failed", attempts, x.Value, y.Value, slices, files));
    }

    /// <summary>The retry's settings: less exposure when saturated, more when dark, otherwise a wider z-range.</summary>
    public static (RegionRecipe Region, string Adjustment) AdjustForRetry(RegionRecipe region, RegionQualityMetrics metrics)
    {
        if (metrics.SaturationPercent > region.Qc.MaxSaturationPercent)
        {
            var exposure = region.Exposure * 0.6;
            return (region with { Exposure = exposure }, string.Create(CultureInfo.InvariantCulture, $"exposure reduced to {exposure.TotalMilliseconds:0.###} ms (saturation)"));
        }
        if (metrics.MeanLevelPercent < 8)
        {
            var exposure = region.Exposure * 1.6;
            return (region with { Exposure = exposure }, string.Create(CultureInfo.InvariantCulture, $"exposure raised to {exposure.TotalMilliseconds:0.###} ms (dark image)"));
        }
        if (metrics.RegistrationResidualPixels > region.Qc.MaxRegistrationResidualPixels
            && metrics.FocusCoveragePercent >= region.Qc.MinFocusCoveragePercent)
        {
            return (region, "repeated with the same settings (registration residual)");
        }
        var span = region.ZTo - region.ZFrom;
        var from = region.ZFrom - (span * 0.25);
        var to = region.ZTo + (span * 0.25);
        return (region with { ZFrom = from, ZTo = to }, string.Create(CultureInfo.InvariantCulture, $"z-range widened to {from.Value:0.#}…{to.Value:0.#} µm (coverage or depth)"));
    }

    private async Task<(RegionStackResult Result, IReadOnlyList<double> SliceZ)> StackAsync(
        Run run, RegionRecipe region, int attempt, Micrometres x, Micrometres y, CancellationToken ct)
    {
        // The ETA's rate counts from here, so the first frame's own cost (and the move to the region) is in it.
        run.StackingStartedAt ??= _time.GetElapsedTime(run.StartedTimestamp);
        var lights = region.Lightings.Select(l => LightFor(run, l)).ToList();
        // Resolved once per stack: the consumer multiplies each frame by its lighting's gain map before stacking.
        var gains = region.Lightings.Select(l => run.Corrections?.GainFor(l.Name)).ToArray();
        await ConfigureExposureAsync(region.Exposure, ct).ConfigureAwait(false);
        var positions = region.SlicePositions().ToList();
        var focus = run.FocusZ;
        // Go below the first slice before moving sideways, so the lateral move never drags the lens across the relief.
        await MoveZAsync(run, focus + positions[0], ct).ConfigureAwait(false);
        await MoveXyAsync(run, x, y, ct).ConfigureAwait(false);

        var settings = _devices.Camera.Settings;
        using var stacker = _processing.Stacker.Create(region, run.Calibre!, settings.Width, settings.Height, run.Pixel!,
            run.Corrections?.Magnification ?? MagnificationModel.Identity);
        var channel = Channel.CreateBounded<(int Lighting, Frame Frame, Micrometres Z)>(
            new BoundedChannelOptions(Math.Max(2, lights.Count * 2)) { SingleReader = true, SingleWriter = true });
        var consumer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
                {
                    var gain = gains[item.Lighting];
                    stacker.Add(item.Lighting, gain is null ? item.Frame : CaptureCalibrations.Flatten(item.Frame, gain), item.Z);
                }
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex);
                throw;
            }
        }, ct);

        var sliceZ = new List<double>(positions.Count);
        try
        {
            for (var i = 0; i < positions.Count; i++)
            {
                var reportedZ = run.LastPosition.Z;
                sliceZ.Add(reportedZ.Value);
                var frames = new Frame[lights.Count];
                var stamps = new DateTimeOffset[lights.Count];
                for (var k = 0; k < lights.Count; k++)
                {
                    await _devices.Lights.SetAsync(lights[k], ct).ConfigureAwait(false);
                    frames[k] = await CaptureFrameAsync(run, ct).ConfigureAwait(false);
                    stamps[k] = StationTimeOf(run, frames[k]);
                    run.FramesDone++;
                    Report(run, CapturePhase.Stacking, region, region.Lightings[k].Name, attempt, i);
                }
                // Start the next move first, then feed the frames: processing overlaps motion.
                var move = i + 1 < positions.Count ? MoveZAsync(run, focus + positions[i + 1], ct) : Task.CompletedTask;
                for (var k = 0; k < lights.Count; k++)
                {
                    await channel.Writer.WriteAsync((k, frames[k], reportedZ - focus), ct).ConfigureAwait(false);
                    if (_options.KeepRawStacks)
                    {
                        await run.Writer!.WriteRawFrameAsync(region.Region, attempt, i, region.Lightings[k].Name, frames[k], stamps[k], reportedZ - focus, ct).ConfigureAwait(false);
                    }
                }
                await move.ConfigureAwait(false);
            }
            channel.Writer.TryComplete();
            await consumer.ConfigureAwait(false);
        }
        catch (Exception producerError)
        {
            channel.Writer.TryComplete();
            try
            {
                await consumer.ConfigureAwait(false);
            }
            catch (InvalidOperationException stackError) when (producerError is ChannelClosedException)
            {
                // The stacker stopped the stack (e.g. a slice could not be registered): that is the failure to report.
                throw new CaptureStepFailedException($"{region.Region} stack", stackError.Message, stackError);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException or InvalidOperationException or ArgumentException)
            {
                // The sequence's own failure is the one to report.
            }
            throw;
        }
        RegionStackResult result;
        try
        {
            result = await Task.Run(stacker.Complete, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new CaptureStepFailedException($"{region.Region} stack", ex.Message, ex);
        }
        return (result, sliceZ);
    }

    // ---------------------------------------------------------------- motion, camera, safety

    /// <summary>A recipe lighting as set on the ring: its levels corrected by the lights calibration, when there is one.</summary>
    private LightingState LightFor(Run run, LightingStep step) =>
        run.Corrections?.Light(step, _devices.Lights.SegmentCount) ?? step.ToState(_devices.Lights.SegmentCount);

    private async Task MoveXyAsync(Run run, Micrometres x, Micrometres y, CancellationToken ct)
    {
        var target = run.LastPosition with { X = x, Y = y };
        if (Math.Abs((x - run.LastPosition.X).Value) < 0.5 && Math.Abs((y - run.LastPosition.Y).Value) < 0.5)
        {
            // Already there (a region at the primer centre, the check after it): a null move is only a round trip.
            return;
        }
        await _devices.Stage.MoveToAsync(target, ct).ConfigureAwait(false);
        run.Ledger.Move(run.LastPosition, target);
        run.LastPosition = Reported(target);
    }

    private async Task MoveZAsync(Run run, Micrometres z, CancellationToken ct)
    {
        var start = run.LastPosition;
        await _devices.Stage.MoveZFromBelowAsync(z, ct).ConfigureAwait(false);
        run.Ledger.MoveZFromBelow(start, z);
        run.LastPosition = Reported(start with { Z = z });
    }

    // GRBL is open loop: the reported position follows the command. Prefer it when it is fresh, since it is what the
    // controller believes; fall back to the commanded target.
    private StagePosition Reported(StagePosition commanded)
    {
        var status = _devices.Stage.Status;
        var p = status.Position;
        return Math.Abs((p.X - commanded.X).Value) < 1 && Math.Abs((p.Y - commanded.Y).Value) < 1 && Math.Abs((p.Z - commanded.Z).Value) < 1
            ? p
            : commanded;
    }

    private async Task<Frame> CaptureFrameAsync(Run run, CancellationToken ct)
    {
        var notBefore = _time.GetUtcNow();
        var frame = await _devices.Camera.CaptureAsync(notBefore, ct).ConfigureAwait(false);
        run.Ledger.Frame(notBefore, frame);
        return frame;
    }

    /// <summary>
    /// A frame's exposure start on the station's clock. With one clock it is the camera's own stamp. When the devices
    /// run on another clock (the simulator's, which a virtual clock moves in jumps), the frame is placed as long
    /// before the station's now as it was exposed before the devices' now; never before the capture started or before
    /// the previous frame, so the package's times stay ordered.
    /// </summary>
    private DateTimeOffset StationTimeOf(Run run, Frame frame)
    {
        DateTimeOffset at;
        if (ReferenceEquals(_stamps, _time))
        {
            at = frame.ExposureStart;
        }
        else
        {
            var age = _time.GetUtcNow() - frame.ExposureStart;
            at = _stamps.GetUtcNow() - (age > TimeSpan.Zero ? age : TimeSpan.Zero);
        }
        if (at < run.StartedAt)
        {
            at = run.StartedAt;
        }
        if (run.LastFrameStamp is { } last && at < last)
        {
            at = last;
        }
        run.LastFrameStamp = at;
        return at;
    }

    private async Task ConfigureExposureAsync(TimeSpan exposure, CancellationToken ct)
    {
        var pwm = _devices.Lights.PwmPeriod;
        if (pwm > TimeSpan.Zero)
        {
            // Whole PWM periods: otherwise each frame catches a different fraction of the light's on-time.
            exposure = pwm * Math.Max(1, Math.Ceiling(exposure / pwm));
        }
        var current = _devices.Camera.Settings;
        if (current.Exposure != exposure)
        {
            await _devices.Camera.ConfigureAsync(current with { Exposure = exposure }, ct).ConfigureAwait(false);
        }
    }

    private async Task MakeSafeAsync(Run run, AbortMonitor monitor, HardwareFaultException? fault)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ct = guard.Token;
        try
        {
            await _devices.Lights.AllOffAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HardwareFaultException or IOException or OperationCanceledException or InvalidOperationException)
        {
            run.Reasons.Add("the lights could not be switched off: " + ex.Message);
        }
        if (monitor.DoorOpened)
        {
            try
            {
                await monitor.ImmediateSafeing.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HardwareFaultException or IOException or OperationCanceledException or InvalidOperationException)
            {
                run.Reasons.Add("feed hold failed: " + ex.Message);
            }
            // Never move with the door open: the stage stays held where it stopped.
            return;
        }
        if (!run.Homed || fault is { RequiresHoming: true })
        {
            return;
        }
        try
        {
            if (run.Status == CaptureStatus.Aborted)
            {
                // Stop whatever move was in flight, then let the controller drain it before the retreat.
                await _devices.Stage.FeedHoldAsync(ct).ConfigureAwait(false);
                await _devices.Stage.ResumeAsync(ct).ConfigureAwait(false);
            }
            var status = await _devices.Stage.QueryStatusAsync(ct).ConfigureAwait(false);
            await _devices.Stage.MoveToAsync(status.Position with { Z = _options.SafeZ }, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HardwareFaultException or IOException or OperationCanceledException or InvalidOperationException)
        {
            run.Reasons.Add("the stage could not retreat to the safe Z: " + ex.Message);
        }
    }

    private async Task<CaptureRecord> BuildRecordAsync(Run run, TimingReport timing)
    {
        var head = await _audit.GetHeadHashAsync(CancellationToken.None).ConfigureAwait(false);
        var now = _stamps.GetUtcNow();
        return new CaptureRecord
        {
            CaptureId = run.CaptureId,
            StationId = _options.StationId,
            SoftwareVersion = SoftwareVersion,
            OperatorId = run.Case.OperatorId,
            Status = run.Status,
            Reasons = run.Reasons.ToList(),
            Case = CaseRecord.From(run.Case with { Calibre = run.Calibre?.Name ?? run.Case.Calibre }),
            SearchProtocol = SearchProtocolRecord.From(run.Case.SearchProtocol),
            Recipe = run.Recipe is { } r ? new RecipeReference(r.Name, r.Version, r.SourceFile, r.Sha256) : null,
            Calibrations = run.Calibrations.Select(c => new CalibrationReference(c.Id, c.Kind.ToString(), c.Version, c.PerformedAt,
                _calibrations.ExpiresAt(c), _calibrations.ExpiresAt(c) > run.StartedAt)).ToList(),
            Integrity = new IntegrityFlags(run.ClockSynchronised, run.ClockOverridden, run.CalibrationOverridden,
                run.CalibrationOverridden ? run.CalibrationCheck?.Describe() : null, run.CasingSensorPresent),
            StartedAt = run.StartedAt,
            FinishedAt = now,
            SealedAt = now,
            TimeZone = TimeZoneId,
            Primer = run.Primer,
            PositionCheckOffsetsMicrometres = run.PositionCheckOffsets.ToList(),
            Autofocus = run.Autofocus,
            Regions = run.Regions.ToList(),
            Timing = TimingRecord.From(timing),
            AuditHeadHash = head,
            RawStacksIncluded = _options.KeepRawStacks,
            CalibrationsApplied = run.Corrections?.Applied ?? [],
        };
    }

    private string TimeZoneId => string.IsNullOrWhiteSpace(_options.TimeZone)
        ? (TimeZoneInfo.Local.HasIanaId ? TimeZoneInfo.Local.Id : TimeZoneInfo.TryConvertWindowsIdToIanaId(TimeZoneInfo.Local.Id, out var iana) ? iana : "Etc/UTC")
        : _options.TimeZone;

    public static string SoftwareVersion =>
        typeof(CaptureSequence).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Mutable state of one run; owned by the sequence's single flow.</summary>
    private sealed class Run(DateTimeOffset startedAt, long startedTimestamp, TimingLedger ledger, CaseContext caseContext)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;
        public long StartedTimestamp { get; } = startedTimestamp;
        public TimingLedger Ledger { get; } = ledger;
        public CaseContext Case { get; } = caseContext;
        public string CaptureId { get; set; } = string.Empty;
        public CaptureStatus Status { get; set; } = CaptureStatus.Failed;
        public List<string> Reasons { get; } = [];
        public CalibreEntry? Calibre { get; set; }
        public Recipe? Recipe { get; set; }
        public IReadOnlyList<CalibrationRecord> Calibrations { get; set; } = [];
        public CalibrationCheck? CalibrationCheck { get; set; }
        public bool CalibrationOverridden { get; set; }
        public bool ClockSynchronised { get; set; }
        public bool ClockOverridden { get; set; }
        public bool CasingSensorPresent { get; set; } = true;
        public bool Homed { get; set; }
        public PixelCalibration? Pixel { get; set; }
        public CaptureCalibrations? Corrections { get; set; }
        public StagePosition LastPosition { get; set; }
        public StagePosition PrimerCentre { get; set; }
        public Micrometres FocusZ { get; set; }
        public PrimerRecord? Primer { get; set; }
        public AutofocusRecord? Autofocus { get; set; }

        public FocusWindow AutofocusWindow { get; set; }
        public List<RegionRecord> Regions { get; } = [];
        public ICapturePackageWriter? Writer { get; set; }
        public TimeSpan AcquisitionEnded { get; set; }
        public int RegionIndex { get; set; }
        public int FramesPlanned { get; set; }
        public int FramesDone { get; set; }
        public TimeSpan? StackingStartedAt { get; set; }
        public DateTimeOffset? LastFrameStamp { get; set; }
        public List<double> PositionCheckOffsets { get; } = [];
    }
}
