namespace Acquisition.Station.Web;

/// <summary>Seeds the demo operators at start (simulator and fake profiles only), after the data directory exists.</summary>
public sealed class OperatorSeeding(OperatorDirectory operators) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => operators.SeedIfAllowedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
