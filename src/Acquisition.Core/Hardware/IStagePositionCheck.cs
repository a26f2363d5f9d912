using Acquisition.Core.Units;

namespace Acquisition.Core.Hardware;

/// <summary>
/// Stall detection for an open-loop stage. The controller's reported position follows its commands even when a motor
/// loses steps, so the station checks the true position by independent evidence: the home switches after suspect
/// moves, and an unexpected image shift or focus position during a capture. A detected stall fails with a clear
/// message and the stage then requires homing.
/// </summary>
public interface IStagePositionCheck
{
    /// <summary>
    /// Approaches the home switches and checks that they trip where the reported position says they should.
    /// Throws <see cref="HardwareFaultException"/> (RequiresHoming) when they do not.
    /// </summary>
    Task VerifyAgainstHomeSwitchesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called by the workflow with what the images say (a measured image shift converted to stage units, or the
    /// focus position of a known surface). Beyond <paramref name="tolerance"/> the stage is declared stalled:
    /// it throws <see cref="HardwareFaultException"/> (RequiresHoming) and refuses motion until homed.
    /// </summary>
    void ReportObservedPosition(Axis axis, Micrometres expected, Micrometres observed, Micrometres tolerance, string evidence);
}
