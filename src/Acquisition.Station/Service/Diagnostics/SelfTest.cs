using System.Globalization;
using System.Security.Cryptography;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Hardware.Grbl;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>
/// Exercises every device and reports pass/fail per item with what it measured: the stage (status, settings,
/// travel, switches, a short move and back per axis), the panel inputs, the camera (a frame, exposure statistics,
/// noise, focus), each light segment and the coaxial light as the camera sees them, the disk (free space and a
/// durable write read back) and the clock. A failing device never stops the test: its items fail and the rest run.
/// The lights and the stage are put back as they were.
/// </summary>
public sealed class SelfTest(SelfTestDevices devices)
{
    /// <summary>The short move of each axis, away from its home switch (machine coordinates run negative from home).</summary>
    public static readonly Micrometres ShortMove = new(-100);

    /// <summary>Reported position within this of the target after the short move: one step plus GRBL's 1 µm reporting.</summary>
    public const double PositionToleranceMicrometres = 2.0;

    /// <summary>A lit segment must raise the mean by at least this fraction of full scale over the dark frame.</summary>
    public const double MinSegmentBrightnessFraction = 0.01;

    /// <summary>The dark frame's mean must stay below this fraction of full scale (light leak or a stuck-on segment otherwise).</summary>
    public const double MaxBlackLevelFraction = 0.1;

    /// <summary>Free space below this refuses captures in practice: a capture package is some hundreds of MB.</summary>
    public const double MinFreeGigabytes = 2.0;

    private readonly List<SelfTestItem> _items = [];

    public async Task<SelfTestReport> RunAsync(OperationProgressSink progress, CancellationToken cancellationToken)
    {
        _items.Clear();
        await progress(0.0, "stage").ConfigureAwait(false);
        await StageAsync(cancellationToken).ConfigureAwait(false);
        await progress(0.35, "operator panel").ConfigureAwait(false);
        Panel();
        await progress(0.4, "camera").ConfigureAwait(false);
        var cameraWorks = await CameraAsync(cancellationToken).ConfigureAwait(false);
        await progress(0.55, "lights").ConfigureAwait(false);
        await LightsAsync(cameraWorks, progress, cancellationToken).ConfigureAwait(false);
        await progress(0.9, "storage").ConfigureAwait(false);
        await StorageAsync(cancellationToken).ConfigureAwait(false);
        await progress(0.97, "clock").ConfigureAwait(false);
        Clock();
        return new SelfTestReport(_items.All(i => i.Passed), [.. _items]);
    }

    // ---------------------------------------------------------------- stage

    private async Task StageAsync(CancellationToken ct)
    {
        var stage = devices.Stage;
        StageStatus status;
        try
        {
            status = await stage.QueryStatusAsync(ct).ConfigureAwait(false);
        }
        catch (HardwareFaultException ex)
        {
            Fail("stage", "status report", null, "Idle", null, ex.Message);
            return;
        }
        Add("stage", "status report", status.State is StageMotionState.Idle, status.State.ToString(), "Idle", null,
            status.State is StageMotionState.Idle ? null : "the controller is not idle: clear an alarm by homing (acq home), close the door");
        Add("stage", "homed", status.IsHomed, status.IsHomed ? "yes" : "no", "yes", null, status.IsHomed ? null : "home the stage (acq home); the moves below are skipped");
        Add("stage", "limit switches released at rest", status.LimitPins.Length == 0, status.LimitPins.Length == 0 ? "none" : status.LimitPins, "none", null,
            status.LimitPins.Length == 0 ? null : $"switch input(s) {status.LimitPins} read active while the stage is at rest: check the switch wiring");
        if (stage is GrblStage grbl)
        {
            var version = grbl.FirmwareVersion ?? "unknown";
            Add("stage", "controller firmware", version.StartsWith("1.1", StringComparison.Ordinal), version, "1.1x", null,
                version.StartsWith("1.1", StringComparison.Ordinal) ? null : "the station is written for GRBL 1.1");
            Add("stage", "GRBL settings read", grbl.ControllerSettings[100] is not null, grbl.ControllerSettings[100] is null ? "missing" : "$100-$132 present", "$100-$132 present", null);
        }
        foreach (var axis in Enum.GetValues<Axis>())
        {
            try
            {
                var (min, max) = stage.TravelOf(axis);
                var travel = (max - min).Value;
                Add("stage", $"{Name(axis)} travel", travel > 0, Number(travel), "> 0", "µm");
            }
            catch (InvalidOperationException ex)
            {
                Fail("stage", $"{Name(axis)} travel", null, "> 0", "µm", ex.Message);
            }
        }
        if (!status.IsHomed || status.State is not StageMotionState.Idle || !devices.Panel.DoorClosed)
        {
            foreach (var axis in Enum.GetValues<Axis>())
            {
                Fail("stage", $"{Name(axis)} short move and back", null, $"≤ {Number(PositionToleranceMicrometres)}", "µm",
                    "not run: the stage must be homed and idle with the door closed");
            }
            return;
        }
        var start = status.Position;
        foreach (var axis in Enum.GetValues<Axis>())
        {
            var target = start.With(axis, start[axis] + ShortMove);
            try
            {
                await stage.MoveToAsync(target, ct).ConfigureAwait(false);
                var there = await stage.QueryStatusAsync(ct).ConfigureAwait(false);
                await stage.MoveToAsync(start, ct).ConfigureAwait(false);
                var back = await stage.QueryStatusAsync(ct).ConfigureAwait(false);
                var error = Math.Max(Math.Abs((there.Position[axis] - target[axis]).Value), Math.Abs((back.Position[axis] - start[axis]).Value));
                Add("stage", $"{Name(axis)} short move and back", error <= PositionToleranceMicrometres, Number(error), $"≤ {Number(PositionToleranceMicrometres)}", "µm",
                    string.Create(CultureInfo.InvariantCulture, $"moved {ShortMove.Value:0} µm and back"));
            }
            catch (HardwareFaultException ex)
            {
                Fail("stage", $"{Name(axis)} short move and back", null, $"≤ {Number(PositionToleranceMicrometres)}", "µm", ex.Message);
                return; // the position is in doubt: no more moves
            }
        }
    }

    // ---------------------------------------------------------------- panel

    private void Panel()
    {
        var panel = devices.Panel;
        Add("panel", "door interlock", panel.DoorClosed, panel.DoorClosed ? "closed" : "open", "closed", null, panel.DoorClosed ? null : "close the door");
        var casing = panel.CasingPresent;
        Add("panel", "casing sensor", true, casing is null ? "not fitted" : casing.Value ? "casing present" : "no casing", "readable", null);
        Add("panel", "motor enable output", panel.MotorsEnabled, panel.MotorsEnabled ? "on" : "off", "on", null, panel.MotorsEnabled ? null : "the stepper drivers are off: home the stage to switch them on");
        Add("panel", "status indicator", true, panel.Indicator.ToString(), "readable", null);
    }

    // ---------------------------------------------------------------- camera

    private async Task<bool> CameraAsync(CancellationToken ct)
    {
        var camera = devices.Camera;
        if (camera is null)
        {
            Fail("camera", "frame", null, "a frame", null, "no camera is composed in this station (Station:Hardware)");
            return false;
        }
        var settings = camera.Settings;
        Frame first, second;
        try
        {
            first = await camera.CaptureAsync(devices.DeviceClock.GetUtcNow(), ct).ConfigureAwait(false);
            second = await camera.CaptureAsync(devices.DeviceClock.GetUtcNow(), ct).ConfigureAwait(false);
        }
        catch (HardwareFaultException ex)
        {
            Fail("camera", "frame", null, $"{settings.Width}×{settings.Height} {settings.Format}", null, ex.Message);
            return false;
        }
        var size = $"{first.Width}×{first.Height} {first.Format}";
        var expectedSize = $"{settings.Width}×{settings.Height} {settings.Format}";
        Add("camera", "frame", size == expectedSize, size, expectedSize, null);
        Add("camera", "frame interval", camera.FrameInterval > TimeSpan.Zero, Number(camera.FrameInterval.TotalMilliseconds), "> 0", "ms");
        Add("camera", "exposure", true, Number(first.Exposure.TotalMicroseconds), Number(settings.Exposure.TotalMicroseconds), "µs");
        var stats = FrameStatistics.Of(first);
        Add("camera", "mean level (current lights)", true, Number(stats.MeanFraction), "0–1", "of full scale");
        Add("camera", "saturated pixels", stats.SaturatedFraction <= 0.01, Number(stats.SaturatedFraction), "≤ 0.01", "of pixels",
            stats.SaturatedFraction <= 0.01 ? null : "lower the exposure or the light level");
        var noise = FrameStatistics.TemporalNoiseFraction(first, second);
        Add("camera", "temporal noise", noise < 0.05, Number(noise), "< 0.05", "of full scale");
        Add("camera", "focus measure (here)", true, Number(devices.Focus.Score(first)), null, "arbitrary");
        return true;
    }

    // ---------------------------------------------------------------- lights

    private async Task LightsAsync(bool cameraWorks, OperationProgressSink progress, CancellationToken ct)
    {
        var light = devices.Light;
        var previous = light.Current;
        var n = light.SegmentCount;
        if (!cameraWorks)
        {
            for (var k = 0; k < n; k++)
            {
                Fail("ring light", $"segment {k} brightness", null, $"≥ {Number(MinSegmentBrightnessFraction)}", "of full scale", "not measured: the camera gave no frame");
            }
            Fail("ring light", "coaxial brightness", null, $"≥ {Number(MinSegmentBrightnessFraction)}", "of full scale", "not measured: the camera gave no frame");
            await SafelyAsync(() => light.AllOffAsync(ct), "all off").ConfigureAwait(false);
            Add("ring light", "all off (safe state)", light.Current.IsOff, light.Current.IsOff ? "off" : "on", "off", null);
            await SafelyAsync(() => light.SetAsync(previous, ct), "restore").ConfigureAwait(false);
            return;
        }
        try
        {
            await light.AllOffAsync(ct).ConfigureAwait(false);
            Add("ring light", "all off (safe state)", light.Current.IsOff, light.Current.IsOff ? "off" : "on", "off", null);
            var dark = await MeanAsync(ct).ConfigureAwait(false);
            Add("camera", "black level (lights off)", dark <= MaxBlackLevelFraction, Number(dark), $"≤ {Number(MaxBlackLevelFraction)}", "of full scale",
                dark <= MaxBlackLevelFraction ? null : "light reaches the sensor with every light off: check for stray light or a segment stuck on");
            for (var k = 0; k < n; k++)
            {
                await light.SetAsync(LightingState.Segmented(n, [k], 1.0), ct).ConfigureAwait(false);
                var lit = await MeanAsync(ct).ConfigureAwait(false) - dark;
                Add("ring light", $"segment {k} brightness", lit >= MinSegmentBrightnessFraction, Number(lit), $"≥ {Number(MinSegmentBrightnessFraction)}", "of full scale",
                    lit >= MinSegmentBrightnessFraction ? null : $"segment {k} does not light the casing: check its cable and LED");
                await progress(0.55 + (0.3 * (k + 1) / (n + 1)), $"segment {k}").ConfigureAwait(false);
            }
            await light.SetAsync(LightingState.Segmented(n, [], 0, coaxial: 1.0), ct).ConfigureAwait(false);
            var coaxial = await MeanAsync(ct).ConfigureAwait(false) - dark;
            Add("ring light", "coaxial brightness", coaxial >= MinSegmentBrightnessFraction, Number(coaxial), $"≥ {Number(MinSegmentBrightnessFraction)}", "of full scale",
                coaxial >= MinSegmentBrightnessFraction ? null : "the coaxial light does not reach the sensor: check its cable and LED");
        }
        catch (HardwareFaultException ex)
        {
            Fail("ring light", "brightness sweep", null, null, null, ex.Message);
        }
        finally
        {
            await SafelyAsync(() => light.SetAsync(previous, CancellationToken.None), "restore").ConfigureAwait(false);
        }
    }

    private async Task<double> MeanAsync(CancellationToken ct)
    {
        var frame = await devices.Camera!.CaptureAsync(devices.DeviceClock.GetUtcNow(), ct).ConfigureAwait(false);
        return FrameStatistics.Of(frame).MeanFraction;
    }

    private async Task SafelyAsync(Func<Task> action, string what)
    {
        try
        {
            await action().ConfigureAwait(false);
        }
        catch (HardwareFaultException ex)
        {
            Fail("ring light", what, null, null, null, ex.Message);
        }
    }

    // ---------------------------------------------------------------- storage and clock

    private async Task StorageAsync(CancellationToken ct)
    {
        var root = devices.Data.Root;
        try
        {
            var free = devices.Disk.AvailableBytes(root) / 1e9;
            Add("storage", "free space", free >= MinFreeGigabytes, Number(free), $"≥ {Number(MinFreeGigabytes)}", "GB", free >= MinFreeGigabytes ? null : "free space on the data disk: the outbox may hold delivered packages");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            Fail("storage", "free space", null, $"≥ {Number(MinFreeGigabytes)}", "GB", ex.Message);
        }
        var path = Path.Combine(devices.Data.Tmp, $"selftest-{Ulid.NewUlid()}.bin");
        try
        {
            var content = RandomNumberGenerator.GetBytes(64 * 1024);
            var written = await devices.Writer.WriteAsync(path, content, ct).ConfigureAwait(false);
            var readBack = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(path, ct).ConfigureAwait(false)));
            var expected = Convert.ToHexStringLower(SHA256.HashData(content));
            var ok = string.Equals(readBack, expected, StringComparison.OrdinalIgnoreCase) && string.Equals(written, expected, StringComparison.OrdinalIgnoreCase);
            Add("storage", "durable write and read back (64 KiB)", ok, ok ? "SHA-256 matches" : "SHA-256 differs", "SHA-256 matches", null,
                ok ? null : "the data disk returned other bytes than were written: replace the medium");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail("storage", "durable write and read back (64 KiB)", null, "SHA-256 matches", null, ex.Message);
        }
        finally
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // a leftover in tmp/ is harmless; the next start cleans tmp/
                _ = ex;
            }
        }
    }

    private void Clock()
    {
        var synced = devices.ClockSync.IsSynchronised(out var detail);
        Add("clock", "NTP synchronised", synced, detail, "synchronised", null, synced ? null : "capture times must be traceable: check chrony/systemd-timesyncd and the network");
    }

    // ---------------------------------------------------------------- helpers

    private void Add(string device, string check, bool passed, string? measured, string? expected, string? unit, string? message = null) =>
        _items.Add(new SelfTestItem(device, check, passed, measured, expected, unit, message));

    private void Fail(string device, string check, string? measured, string? expected, string? unit, string message) =>
        _items.Add(new SelfTestItem(device, check, false, measured, expected, unit, message));

    private static string Name(Axis axis) => axis.ToString();

    private static string Number(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
