using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Timing;

/// <summary>Adds up the physical floor of a capture as it happens. Not thread-safe: the sequence owns it.</summary>
public sealed class TimingLedger
{
    private readonly MotionProfile _profile;
    private TimeSpan _moves;
    private TimeSpan _settles;
    private TimeSpan _exposures;
    private TimeSpan _waits;
    private int _moveCount;
    private int _frameCount;

    public TimingLedger(MotionProfile profile)
    {
        _profile = profile;
    }

    public void Move(StagePosition from, StagePosition to)
    {
        if (from == to)
        {
            return;
        }
        _moves += _profile.MoveTime(from, to);
        _settles += _profile.Settle;
        _moveCount++;
    }

    public void MoveZFromBelow(StagePosition from, Micrometres z)
    {
        if (from.Z == z)
        {
            return;
        }
        _moves += _profile.ZFromBelowTime(from, z);
        _settles += _profile.Settle;
        _moveCount++;
    }

    /// <summary>A frame: its exposure, and the wait from when it was asked for to when its exposure began.</summary>
    public void Frame(DateTimeOffset requestedNotBefore, Frame frame)
    {
        _exposures += frame.Exposure;
        var wait = frame.ExposureStart - requestedNotBefore;
        if (wait > TimeSpan.Zero)
        {
            _waits += wait;
        }
        _frameCount++;
    }

    public TimingReport Report(TimeSpan total) =>
        new(total, _moves + _settles + _exposures + _waits, _moves, _settles, _exposures, _waits, _moveCount, _frameCount);
}
