namespace Acquisition.Station.Web;

/// <summary>
/// What the page needs from the capture service (the same one the physical button drives). The workflow's sequence
/// is adapted to this by <see cref="SequenceTechnicianCapture"/>; tests and camera-less builds may register
/// <see cref="UnavailableTechnicianCapture"/>. Progress and results come from <see cref="CaptureProgressTracker"/>
/// and <see cref="CaptureResults"/>, whoever started the capture.
/// </summary>
public interface ITechnicianCapture
{
    bool IsAvailable { get; }

    /// <summary>Starts a capture of the current case for the signed-in operator and returns at once; progress follows as events.</summary>
    Task StartAsync(string operatorId, CancellationToken cancellationToken);

    Task AbortAsync(string operatorId, CancellationToken cancellationToken);
}
