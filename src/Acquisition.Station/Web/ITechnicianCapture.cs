namespace Acquisition.Station.Web;

/// <summary>
/// What the page needs from the capture service (the same one the physical button drives). The workflow's service is
/// adapted to this when it is registered; until then <see cref="UnavailableTechnicianCapture"/> says so.
/// </summary>
public interface ITechnicianCapture
{
    bool IsAvailable { get; }

    CaptureProgressView Progress { get; }

    /// <summary>Starts a capture of the current case for the signed-in operator; returns the capture id.</summary>
    Task<string> StartAsync(string operatorId, CancellationToken cancellationToken);

    Task AbortAsync(string operatorId, CancellationToken cancellationToken);

    /// <summary>Captures whose start falls on the given UTC day, newest first.</summary>
    Task<IReadOnlyList<CaptureResultView>> ListAsync(DateOnly utcDay, CancellationToken cancellationToken);
}
