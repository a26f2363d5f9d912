using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Workflow.Capture.Record;
using Acquisition.Workflow.Processing;
using NSubstitute;
using NSubstitute.Extensions;

namespace Acquisition.Workflow.Tests;

public sealed class CaptureSequenceTests
{
    [Fact]
    public async Task A_good_capture_is_complete_and_sealed_with_every_region_and_the_calibrations_used()
    {
        using var h = new SequenceHarness();
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Complete, outcome);
        Assert.Equal("/data/packages/" + outcome.Record.CaptureId, outcome.PackagePath);
        var record = h.Packages.Sealed!;
        Assert.Equal(26, record.CaptureId.Length);
        Assert.Equal(["BreechFace", "FiringPinImpression", "EjectorMark"], record.Regions.Select(r => r.Region));
        Assert.All(record.Regions, r => Assert.Equal("passed", r.Status));
        Assert.Contains(record.Calibrations, c => c.Id == "pixel-size-v1" && c.Valid);
        Assert.Contains(record.Calibrations, c => c.Id == "flat-field-v1");
        Assert.True(record.SearchProtocol.RecoveredWithin80KmOfInternationalBorder);
        Assert.Equal("9mm Luger", record.Recipe!.Name);
        Assert.Equal(64, record.Recipe.Sha256.Length);
        Assert.NotNull(record.AuditHeadHash);
        Assert.True(record.Timing.FloorSeconds > 0);
        Assert.NotEmpty(record.Autofocus!.CoarseCurve);
        Assert.Equal(StatusIndicator.Ready, h.Panel.Indicator);
        Assert.Equal(StationState.Ready, h.Station.State);
        Assert.True(h.Lights.Current.IsOff);
    }

    [Fact]
    public async Task Autofocus_finds_the_peak_and_stacks_are_placed_around_it()
    {
        using var h = new SequenceHarness();
        h.Focus.PeakZ = 57;
        var outcome = await h.RunAsync();

        Assert.InRange(outcome.Record.Autofocus!.FocusZMicrometres, 55, 59);
        var bf = outcome.Record.Regions[0];
        Assert.Equal(41, bf.SliceZMicrometres.Count);
        Assert.InRange(bf.SliceZMicrometres[0], 57 - 40 - 2, 57 - 40 + 2);

        // Every autofocus frame is scored on the centred primer only: 0.6 × the 4.45 mm 9 mm primer at 100 µm/px.
        Assert.Equal(outcome.Record.Autofocus.CoarseCurve.Count + outcome.Record.Autofocus.FineCurve.Count, h.Focus.Windows.Count);
        Assert.All(h.Focus.Windows, w => Assert.Equal(FocusWindow.Centred(w.FrameWidth, w.FrameHeight, 27, 27), w.Window));
        // capture.json says what was scored.
        Assert.Equal(h.Focus.Windows[0].Window, outcome.Record.Autofocus.WindowPixels);
    }

    [Fact]
    public async Task Lightings_are_interleaved_at_each_z_and_every_stack_move_approaches_from_below()
    {
        using var h = new SequenceHarness();
        await h.RunAsync();

        // Each BreechFace slice sees both lightings before the next z.
        var bf = h.Stacker.Added.Take(82).ToList();
        for (var i = 0; i < 82; i += 2)
        {
            Assert.Equal(0, bf[i].Lighting);
            Assert.Equal(1, bf[i + 1].Lighting);
            Assert.Equal(bf[i].Z, bf[i + 1].Z);
        }
        Assert.True(bf.Where((_, i) => i % 2 == 0).Select(x => x.Z.Value).Zip(bf.Where((_, i) => i % 2 == 0).Skip(1).Select(x => x.Z.Value)).All(p => p.Second > p.First));
        // Within a stack every z target is above the one before (the stage approaches from below).
        // Load Z, 41 coarse and 11 fine autofocus targets come first.
        var bfTargets = h.Stage.ZTargets.Skip(1 + 41 + 11).Take(41).ToList();
        Assert.Equal(60, bfTargets[0], 3);
        Assert.True(bfTargets.Zip(bfTargets.Skip(1)).All(p => p.Second > p.First));
    }

    [Fact]
    public async Task An_open_door_refuses_the_capture_without_writing_a_package()
    {
        using var h = new SequenceHarness();
        h.Panel.DoorClosed = false;
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("door is open", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Null(outcome.PackagePath);
        Assert.Equal(0, h.Packages.Created);
        Assert.DoesNotContain(h.Stage.Calls, c => c.StartsWith("move", StringComparison.Ordinal) || c.StartsWith("z ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_casing_refuses_the_capture()
    {
        using var h = new SequenceHarness();
        h.Panel.CasingPresent = false;
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("No casing", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_calibre_is_refused_with_close_matches()
    {
        using var h = new SequenceHarness();
        var outcome = await h.RunAsync("9mm Lugr");
        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("Unknown calibre '9mm Lugr'", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("'9mm Luger'", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(0, h.Packages.Created);
    }

    [Fact]
    public async Task A_missing_calibration_refuses_and_names_it()
    {
        using var h = new SequenceHarness(seedCalibrations: false);
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("PixelSize calibration is missing", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("FlatField calibration is missing", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_calibration_refuses_naming_the_record()
    {
        using var h = new SequenceHarness();
        h.Time.Advance(TimeSpan.FromDays(31)); // flat field is valid for 30 days
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("FlatField calibration 'flat-field-v1' expired", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_calibration_is_allowed_when_configured_and_the_package_says_so()
    {
        using var h = new SequenceHarness();
        h.Options.AllowInvalidCalibration = true;
        h.Time.Advance(TimeSpan.FromDays(31));
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Complete, outcome);
        Assert.True(outcome.Record.Integrity.CalibrationOverridden);
        Assert.Contains("flat-field-v1", outcome.Record.Integrity.CalibrationProblems, StringComparison.Ordinal);
        Assert.Contains(outcome.Record.Calibrations, c => c.Id == "flat-field-v1" && !c.Valid);
    }

    [Fact]
    public async Task An_unsynchronised_clock_refuses_unless_allowed_and_then_is_recorded()
    {
        using var h = new SequenceHarness { ClockSynchronised = false };
        var refused = await h.RunAsync();
        AssertStatus(CaptureStatus.Refused, refused);
        Assert.Contains("not NTP-synchronised (test clock)", refused.Record.Reasons[0], StringComparison.Ordinal);

        h.Options.AllowUnsynchronisedClock = true;
        var allowed = await h.RunAsync();
        AssertStatus(CaptureStatus.Complete, allowed);
        Assert.False(allowed.Record.Integrity.ClockSynchronised);
        Assert.True(allowed.Record.Integrity.ClockCheckOverridden);
    }

    [Fact]
    public async Task Too_little_free_disk_refuses_before_anything_moves()
    {
        using var h = new SequenceHarness { FreeBytes = 10L * 1024 * 1024 };
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("Too little free disk", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Empty(h.Stage.Calls);
    }

    [Fact]
    public async Task An_unhomed_stage_is_homed_first()
    {
        using var h = new SequenceHarness();
        var stage = new Fakes.FakeStage(h.Time, homed: false);
        var seq = new Acquisition.Workflow.Capture.CaptureSequence(
            new Acquisition.Workflow.Capture.CaptureDevices(stage, h.Lights, h.Camera, h.Panel),
            new Acquisition.Workflow.Capture.CaptureProcessing(h.Stacker, new Fakes.FakeFocus(stage), h.Detector),
            h.Calibres, h.Calibrations, h.Audit, h.Data, h.Packages, h.Clock, h.Disk, h.Time, h.Options, new Timing.MotionProfile());
        var outcome = await seq.RunAsync(SequenceHarness.Case(), "tech01", CancellationToken.None);
        AssertStatus(CaptureStatus.Complete, outcome);
        Assert.Equal("home", stage.Calls[0]);
    }

    [Fact]
    public async Task A_region_failing_qc_is_retried_once_with_a_wider_range_and_then_passes()
    {
        using var h = new SequenceHarness();
        h.Stacker.Plan = (r, attempt) => r.Region == Region.BreechFace && attempt == 1 ? (0.5, 20000) : (1.0, 20000);
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Complete, outcome);
        var bf = outcome.Record.Regions[0];
        Assert.Equal(2, bf.Attempts.Count);
        Assert.False(bf.Attempts[0].Passed);
        Assert.Contains("focus coverage", bf.Attempts[0].Reasons[0], StringComparison.Ordinal);
        Assert.Contains("z-range widened", bf.Attempts[1].Adjustment, StringComparison.Ordinal);
        Assert.Equal(-60, bf.Attempts[1].ZFromMicrometres, 3);
        Assert.Equal(60, bf.Attempts[1].ZToMicrometres, 3);
    }

    [Fact]
    public async Task A_region_failing_qc_twice_fails_the_capture_with_the_reasons_but_keeps_the_package()
    {
        using var h = new SequenceHarness();
        h.Stacker.Plan = (r, _) => r.Region == Region.BreechFace ? (0.02, 20000) : (1.0, 20000);
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Equal(2, h.Stacker.Attempts[Region.BreechFace]);
        Assert.Contains(outcome.Record.Reasons, r => r.StartsWith("BreechFace failed QC: focus coverage", StringComparison.Ordinal));
        Assert.Equal(CaptureStatus.Failed, h.Packages.Sealed!.Status);
        Assert.Equal("failed", outcome.Record.Regions[0].Status);
        Assert.Equal(StationState.Ready, h.Station.State);
    }

    [Fact]
    public async Task A_saturated_region_is_retried_with_less_exposure()
    {
        using var h = new SequenceHarness();
        h.Stacker.Plan = (r, attempt) => r.Region == Region.EjectorMark && attempt == 1 ? (1.0, 65535) : (1.0, 20000);
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Complete, outcome);
        var em = outcome.Record.Regions[2];
        Assert.Contains("exposure reduced to 12 ms", em.Attempts[1].Adjustment, StringComparison.Ordinal);
        Assert.Contains(TimeSpan.FromMilliseconds(12), h.Camera.ConfiguredExposures);
    }

    [Fact]
    public async Task A_long_press_mid_stack_aborts_keeps_the_partial_package_marked_and_retreats_to_safe_z()
    {
        using var h = new SequenceHarness();
        h.Camera.BeforeCapture = n =>
        {
            if (n == 100)
            {
                h.Panel.Raise(PanelEventKind.AbortRequested);
            }
        };
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Aborted, outcome);
        Assert.Contains("long press", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(CaptureStatus.Aborted, h.Packages.Sealed!.Status);
        Assert.True(h.Lights.Current.IsOff);
        var hold = h.Stage.Calls.LastIndexOf("hold");
        Assert.True(hold >= 0);
        Assert.Equal("move X=0 Y=0 Z=-1000 µm", h.Stage.Calls[^1]);
        Assert.Equal(StationState.Ready, h.Station.State);
    }

    [Fact]
    public async Task Opening_the_door_mid_stack_holds_the_feed_turns_the_lights_off_and_never_moves_again()
    {
        using var h = new SequenceHarness();
        var movesAtDoor = -1;
        h.Camera.BeforeCapture = n =>
        {
            if (n == 120)
            {
                h.Panel.Raise(PanelEventKind.DoorOpened);
                movesAtDoor = h.Stage.MoveCount;
            }
        };
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Aborted, outcome);
        Assert.Contains("door was opened", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("hold", h.Stage.Calls);
        Assert.True(h.Lights.Current.IsOff);
        Assert.Equal(movesAtDoor, h.Stage.MoveCount);
        Assert.NotEqual(CaptureStatus.Complete, h.Packages.Sealed!.Status);
    }

    [Fact]
    public async Task The_door_switches_the_lights_off_at_once_even_when_the_stage_cannot_take_the_feed_hold()
    {
        using var h = new SequenceHarness();
        bool? offAtOnce = null;
        h.Camera.BeforeCapture = n =>
        {
            if (n == 120)
            {
                h.Stage.FeedHoldThrows = "the serial port /dev/stage is gone";
                h.Panel.Raise(PanelEventKind.DoorOpened);
                offAtOnce = h.Lights.Current.IsOff;
            }
        };
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Aborted, outcome);
        Assert.True(offAtOnce, "the lights were still on right after the door opened");
    }

    [Fact]
    public async Task A_region_the_camera_cannot_stack_refuses_the_capture_before_anything_moves()
    {
        using var h = new SequenceHarness();
        h.Stacker.Refusal = "EjectorMark on '9mm Luger' leaves a registration field of 0 µm on the flat head face";
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Refused, outcome);
        Assert.Contains("cannot be stacked with this camera: EjectorMark on '9mm Luger'", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.DoesNotContain(h.Stage.Calls, c => c.StartsWith("move", StringComparison.Ordinal));
        Assert.Equal(0, h.Packages.Created);
        Assert.Equal(StationState.Ready, h.Station.State);
    }

    [Fact]
    public async Task An_unexpected_error_mid_capture_still_ends_safely_and_seals_what_was_stacked()
    {
        // A defect (here creating the ejector mark's stacker throws, outside the stack's own error handling) must not
        // leave the lights on, the station in Capturing or the regions already stacked unsealed.
        using var h = new SequenceHarness();
        h.Stacker.BeforeCreate = r =>
        {
            if (r.Region == Region.EjectorMark)
            {
                throw new InvalidOperationException("stacker defect");
            }
        };
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Contains("unexpected error (InvalidOperationException: stacker defect)", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.True(h.Lights.Current.IsOff);
        Assert.Equal(CaptureStatus.Failed, h.Packages.Sealed!.Status);
        Assert.Contains(h.Packages.Regions, r => r.Recipe.Region == Region.BreechFace);
        Assert.Equal(StationState.Ready, h.Station.State);
        Assert.Equal(StatusIndicator.Ready, h.Panel.Indicator);
    }

    [Fact]
    public async Task A_lost_camera_fails_the_capture_safely()
    {
        using var h = new SequenceHarness();
        h.Camera.BeforeCapture = n =>
        {
            if (n == 90)
            {
                throw new HardwareFaultException("camera 'sim' stopped delivering frames");
            }
        };
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Contains("camera 'sim' stopped delivering frames", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.True(h.Lights.Current.IsOff);
        Assert.Equal(StatusIndicator.Fault, h.Panel.Indicator);
        Assert.Equal(StationState.Fault, h.Station.State);
        Assert.Equal("move X=0 Y=0 Z=-1000 µm", h.Stage.Calls[^1]);
    }

    [Fact]
    public async Task An_audit_log_that_stops_taking_entries_mid_capture_leaves_the_station_faulted_and_safe_not_capturing()
    {
        using var h = new SequenceHarness();
        var path = Path.Combine(h.Data.Audit, "audit.jsonl");
        h.Stage.BeforeMove = n =>
        {
            if (n == 80)
            {
                // As good as a full disk for the next append: the log's path cannot be opened for writing.
                File.Move(path, path + ".aside");
                Directory.CreateDirectory(path);
            }
        };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => h.RunAsync());

        Assert.True(error is IOException or UnauthorizedAccessException, error.ToString());
        Assert.Equal(StationState.Fault, h.Station.State);
        Assert.Contains("ended on an error", h.Station.LastChange.Reason, StringComparison.Ordinal);
        Assert.Contains("then home the stage", h.Station.LastChange.Reason, StringComparison.Ordinal);
        Assert.True(h.Lights.Current.IsOff);
        Assert.Equal(StatusIndicator.Fault, h.Panel.Indicator);
    }

    [Fact]
    public async Task A_stall_or_controller_reset_mid_stack_fails_without_moving_an_unhomed_stage()
    {
        using var h = new SequenceHarness();
        h.Stage.BeforeMove = n =>
        {
            if (n == 80)
            {
                throw new HardwareFaultException("controller reset (ALARM): position lost, home the stage", requiresHoming: true);
            }
        };
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Contains("position lost", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Equal(79, h.Stage.MoveCount - 1);
        Assert.True(h.Lights.Current.IsOff);
        Assert.Equal(StationState.Fault, h.Station.State);
    }

    [Fact]
    public async Task No_primer_fails_with_a_clear_message()
    {
        using var h = new SequenceHarness();
        h.Detector.Configure().Detect(default!, default, default, default).ReturnsForAnyArgs((PrimerDetection?)null);
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Contains("no primer found", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Contains("4.45 mm", outcome.Record.Reasons[0], StringComparison.Ordinal);
        Assert.Empty(h.Stacker.Attempts);
    }

    [Fact]
    public async Task The_primer_is_centred_by_moving_the_stage_towards_where_the_image_shows_it()
    {
        using var h = new SequenceHarness();
        var calls = 0;
        h.Detector.Configure().Detect(default!, default, default, default).ReturnsForAnyArgs(ci =>
        {
            var f = ci.ArgAt<Frame>(0);
            calls++;
            // First overview: primer 3 px right and 2 px down of the centre; then centred.
            var shift = calls == 1 ? (3.0, 2.0) : (0.05, 0.0);
            return new PrimerDetection(((f.Width - 1) / 2.0) + shift.Item1, ((f.Height - 1) / 2.0) + shift.Item2, 22.25);
        });
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Complete, outcome);
        Assert.Equal(300, outcome.Record.Primer!.StageXMicrometres, 3);
        Assert.Equal(200, outcome.Record.Primer.StageYMicrometres, 3);
        Assert.Equal(2, outcome.Record.Primer.Iterations);
        Assert.True(outcome.Record.Primer.ResidualOffsetMicrometres <= 20);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_primer_that_cannot_be_centred_says_whether_the_circle_followed_the_stage(bool follows)
    {
        using var h = new SequenceHarness();
        var calls = 0;
        h.Detector.Configure().Detect(default!, default, default, default).ReturnsForAnyArgs(ci =>
        {
            var f = ci.ArgAt<Frame>(0);
            calls++;
            // Following: each move leaves 0.4 of the offset (a pixel size 60 % off), converging too slowly for three
            // moves. Not following: a circle somewhere else in every overview (a feature that is not the primer).
            var shift = follows
                ? (4.0 * Math.Pow(0.4, calls - 1), 0.0)
                : calls % 2 == 1 ? (4.0, -3.0) : (-3.0, 4.5);
            return new PrimerDetection(((f.Width - 1) / 2.0) + shift.Item1, ((f.Height - 1) / 2.0) + shift.Item2, 22.25);
        });
        var outcome = await h.RunAsync();

        AssertStatus(CaptureStatus.Failed, outcome);
        var reason = outcome.Record.Reasons[0];
        Assert.StartsWith("primer location: could not centre the primer", reason, StringComparison.Ordinal);
        if (follows)
        {
            Assert.EndsWith("Check the pixel-size and rotation calibration.", reason, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("did not follow the stage's moves, so it is probably not the primer: check that the casing is a 9mm Luger", reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_primer_of_the_wrong_size_fails_the_diameter_check()
    {
        using var h = new SequenceHarness();
        h.Detector.Configure().Detect(default!, default, default, default).ReturnsForAnyArgs(new PrimerDetection(31.5, 23.5, 26.65));
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Contains("primer measures 5.33 mm", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_featureless_view_fails_autofocus_with_a_clear_message()
    {
        using var h = new SequenceHarness();
        h.Focus.Flat = true;
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.StartsWith("autofocus:", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_focus_peak_outside_the_sweep_fails_autofocus()
    {
        using var h = new SequenceHarness();
        h.Focus.PeakZ = 900;
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.Contains("end of the sweep", outcome.Record.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_polished_primer_is_refused_by_qc_rather_than_reported()
    {
        using var h = new SequenceHarness();
        h.Stacker.Plan = (r, _) => r.Region == Region.BreechFace ? (0.03, 20000) : (1.0, 20000);
        var outcome = await h.RunAsync();
        AssertStatus(CaptureStatus.Failed, outcome);
        Assert.False(h.Packages.Regions[0].Passed);
    }

    [Fact]
    public async Task Raw_stacks_are_written_only_when_configured()
    {
        using var h = new SequenceHarness();
        await h.RunAsync();
        Assert.Equal(0, h.Packages.RawFrames);

        using var k = new SequenceHarness();
        k.Options.KeepRawStacks = true;
        var outcome = await k.RunAsync();
        Assert.Equal((41 + 53 + 31) * 2, k.Packages.RawFrames);
        Assert.True(outcome.Record.RawStacksIncluded);
    }

    [Fact]
    public async Task Exposures_are_whole_pwm_periods()
    {
        using var h = new SequenceHarness();
        h.Lights.PwmPeriod = TimeSpan.FromMilliseconds(3);
        await h.RunAsync();
        // The recipe asks 20 ms for the stacks and 8 ms for the overview.
        Assert.Contains(TimeSpan.FromMilliseconds(21), h.Camera.ConfiguredExposures);
        Assert.Contains(TimeSpan.FromMilliseconds(9), h.Camera.ConfiguredExposures);
        Assert.All(h.Camera.ConfiguredExposures, e => Assert.Equal(0, e.Ticks % TimeSpan.FromMilliseconds(3).Ticks));
    }

    [Fact]
    public async Task The_capture_and_its_outcome_are_audited()
    {
        using var h = new SequenceHarness();
        var outcome = await h.RunAsync();
        var entries = await h.Audit.ReadAllAsync(CancellationToken.None);
        Assert.Contains(entries, e => e.Action == "capture.started");
        Assert.Contains(entries, e => e.Action == "capture.finished" && e.Details!.Value.GetProperty("captureId").GetString() == outcome.Record.CaptureId);
        Assert.True((await h.Audit.VerifyAsync(CancellationToken.None)).IsIntact);
    }

    private static void AssertStatus(CaptureStatus expected, Acquisition.Workflow.Capture.CaptureOutcome outcome) =>
        Assert.True(expected == outcome.Status, $"expected {expected}, got {outcome.Status}: {string.Join(" | ", outcome.Record.Reasons)}");
}
