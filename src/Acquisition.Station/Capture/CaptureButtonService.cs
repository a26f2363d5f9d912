using Acquisition.Core.Hardware;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Capture;

namespace Acquisition.Station.Capture;

/// <summary>Connects the panel's capture button to the capture sequence, when the build has a camera.</summary>
public sealed class CaptureButtonService(IServiceProvider services, ILogger<CaptureButtonService> log) : IHostedService, IDisposable
{
    private CaptureButton? _button;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<ICamera>() is null)
        {
            log.LogWarning("No camera in this build: the capture button is not connected.");
            return Task.CompletedTask;
        }
        _button = new CaptureButton(services.GetRequiredService<IOperatorPanel>(), services.GetRequiredService<CaseContextStore>(),
            services.GetRequiredService<CaptureSequence>(), Environment.UserName, services.GetRequiredService<ILogger<CaptureButton>>());
        _button.CaptureFinished += (_, o) => log.LogInformation("Capture {CaptureId} {Status}: package {Package}; {Timing}",
            o.Record.CaptureId, o.Status, o.PackagePath, o.Timing);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Taken out first: the container disposes this service again after the stop, and the button must be
        // disposed only once.
        var button = _button;
        _button = null;
        if (button is not null)
        {
            button.Dispose();
            await button.Current.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose() => _button?.Dispose();
}
