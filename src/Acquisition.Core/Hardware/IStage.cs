using Acquisition.Core.Units;

namespace Acquisition.Core.Hardware;

/// <summary>
/// The XYZ stage. Every move is awaitable and completes only when the controller reports the motion done and the
/// configured settle time has passed, never after a guessed delay.
/// </summary>
public interface IStage
{
    /// <summary>The last known status. Never blocks on the port.</summary>
    StageStatus Status { get; }

    /// <summary>Raised whenever a new status arrives (polling or after a move).</summary>
    event EventHandler<StageStatus>? StatusChanged;

    /// <summary>The travel of each axis in machine coordinates: (min, max).</summary>
    (Micrometres Min, Micrometres Max) TravelOf(Axis axis);

    Task ConnectAsync(CancellationToken cancellationToken);

    Task HomeAsync(CancellationToken cancellationToken);

    /// <summary>Moves to an absolute machine position and waits until the motion is done and settled.</summary>
    Task MoveToAsync(StagePosition target, CancellationToken cancellationToken);

    /// <summary>
    /// Moves Z to <paramref name="z"/> always from below (from the same side), going past by the configured lead-in
    /// first where needed, so that Z backlash is taken up identically for every slice of a stack.
    /// </summary>
    Task MoveZFromBelowAsync(Micrometres z, CancellationToken cancellationToken);

    Task JogAsync(Axis axis, Micrometres distance, double feedMillimetresPerMinute, CancellationToken cancellationToken);

    Task CancelJogAsync(CancellationToken cancellationToken);

    Task FeedHoldAsync(CancellationToken cancellationToken);

    Task ResumeAsync(CancellationToken cancellationToken);

    /// <summary>Feed hold then reset: motion stops at once. The position is unknown until homing.</summary>
    Task EmergencyStopAsync(CancellationToken cancellationToken);

    Task<StageStatus> QueryStatusAsync(CancellationToken cancellationToken);
}
