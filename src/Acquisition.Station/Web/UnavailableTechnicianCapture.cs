namespace Acquisition.Station.Web;

/// <summary>Stands in while no capture service is composed into the host: the page says capture is unavailable.</summary>
public sealed class UnavailableTechnicianCapture : ITechnicianCapture
{
    public bool IsAvailable => false;

    public Task StartAsync(string operatorId, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("The capture service is not composed into this build of the station.");

    public Task AbortAsync(string operatorId, CancellationToken cancellationToken) => Task.CompletedTask;
}
