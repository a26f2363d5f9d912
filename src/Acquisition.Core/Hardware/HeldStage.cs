namespace Acquisition.Core.Hardware;

/// <summary>
/// GRBL stops in Door state when the enclosure door opens (or in Hold after a feed hold, even at rest) and accepts no
/// motion, not even homing ("error:8"), until a cycle start after the door has closed. Every technician opens the door
/// to mount a casing, so whoever moves the stage next (a capture, a service jog, move or homing) must first resume it.
/// </summary>
public static class HeldStage
{
    /// <summary>How long a resumed controller may take to restore and finish a held move before it counts as stuck.</summary>
    public static readonly TimeSpan ResumeTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// When the stage is held (Door or Hold), sends a cycle start and waits on <paramref name="deviceClock"/> until it is
    /// Idle. The caller has checked that the door is closed. Returns the state it was held in, or null if it was not.
    /// </summary>
    /// <exception cref="StageHeldException">The stage stayed held or went elsewhere (the message says what to do).</exception>
    public static async Task<StageMotionState?> ResumeIfHeldAsync(this IStage stage, TimeProvider deviceClock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(deviceClock);
        var status = await stage.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
        if (status.State is not (StageMotionState.Door or StageMotionState.Hold))
        {
            return null;
        }
        var heldIn = status.State;
        await stage.ResumeAsync(cancellationToken).ConfigureAwait(false);
        var started = deviceClock.GetTimestamp();
        while (true)
        {
            await Task.Delay(PollInterval, deviceClock, cancellationToken).ConfigureAwait(false);
            status = await stage.QueryStatusAsync(cancellationToken).ConfigureAwait(false);
            if (status.State == StageMotionState.Idle)
            {
                return heldIn;
            }
            // GRBL may first restore (Door:3) and then run out the held move before it is Idle.
            if (status.State is not (StageMotionState.Run or StageMotionState.Door or StageMotionState.Hold)
                || deviceClock.GetElapsedTime(started) > ResumeTimeout)
            {
                throw new StageHeldException(
                    $"The stage stays in {status.State} state after a cycle start (held by an earlier door opening or abort): close the door, then reset and home the stage from the service console.");
            }
        }
    }
}
