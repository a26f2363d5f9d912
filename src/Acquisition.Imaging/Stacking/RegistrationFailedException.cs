namespace Acquisition.Imaging.Stacking;

/// <summary>A slice could not be registered to its neighbour, so fusing it would blur or double the image.</summary>
public sealed class RegistrationFailedException : Exception
{
    public RegistrationFailedException(SliceRegistration registration)
        : base($"Slice {registration.Index} (z = {registration.StageZMicrometres.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} µm) could not be registered: {registration.FailureReason} Check for vibration, a moved casing or a blank field of view, then redo the stack.")
    {
        Registration = registration;
    }

    public SliceRegistration Registration { get; }
}
