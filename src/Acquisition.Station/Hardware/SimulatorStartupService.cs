using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Camera;
using Acquisition.Station.Configuration;
using Acquisition.Workflow.Calibration;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Hardware;

/// <summary>
/// Sim profile only: opens the simulated camera at its sensor's settings (the capture sequence only changes the
/// exposure of the current settings) and seeds the simulator's calibration records, so captures run without a
/// calibration step. A real station never seeds calibrations.
/// </summary>
public sealed class SimulatorStartupService(
    ICamera camera, SimulatedCamera simulatedCamera, CalibrationStore calibrations, IOptions<SimulatorOptions> simulator,
    ILogger<SimulatorStartupService> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = await camera.ConfigureAsync(simulatedCamera.Settings, cancellationToken).ConfigureAwait(false);
        var o = simulatedCamera.Options;
        var seeded = await calibrations.SeedSimulatorProfileAsync(
            new SimulatorCalibrationProfile(o.PixelSizeMicrometres, o.CameraToStageRotationDegrees, o.MagnificationChangePerMicrometre), cancellationToken).ConfigureAwait(false);
        log.LogInformation("Simulated camera {Width}×{Height} at {PixelSize} µm/px ({Scene}); {Seeded} simulator calibration record(s) seeded.",
            settings.Width, settings.Height, simulator.Value.Camera.PixelSizeMicrometres, "default 9 mm casing", seeded.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
