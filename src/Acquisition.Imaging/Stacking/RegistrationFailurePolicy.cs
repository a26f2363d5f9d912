namespace Acquisition.Imaging.Stacking;

/// <summary>What the stacker does when a slice cannot be registered. Either way the failure is recorded.</summary>
public enum RegistrationFailurePolicy
{
    /// <summary>Throw <see cref="RegistrationFailedException"/>: the capture must be redone.</summary>
    Throw,

    /// <summary>Keep the last good offset, flag the slice and count it in the statistics; quality checks then reject.</summary>
    Flag,
}
