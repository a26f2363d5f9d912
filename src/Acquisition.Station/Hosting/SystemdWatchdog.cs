using System.Globalization;
using Acquisition.Core.Station;
using Microsoft.Extensions.Hosting.Systemd;

namespace Acquisition.Station.Hosting;

/// <summary>
/// Pings systemd's watchdog (WatchdogSec= in the unit) at half the interval while the worker's heartbeat is fresh.
/// Without WATCHDOG_USEC (not under systemd, or no watchdog configured) it does nothing.
/// </summary>
public sealed class SystemdWatchdog(
    IServiceProvider services,
    StationHealth health,
    StationStateMachine machine,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SystemdWatchdog> log) : BackgroundService
{
    public static TimeSpan? IntervalFromEnvironment()
    {
        var usec = Environment.GetEnvironmentVariable("WATCHDOG_USEC");
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var us) || us <= 0)
        {
            return null;
        }
        if (pid is not null && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null; // Meant for another process of the unit.
        }
        return TimeSpan.FromMicroseconds(us);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = IntervalFromEnvironment();
        var notifier = services.GetService<ISystemdNotifier>();
        if (interval is null || notifier is null || !notifier.IsEnabled)
        {
            return;
        }
        // systemd arms the watchdog once the unit reports READY=1, which happens when the host has started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            try
            {
                await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
        var period = interval.Value / 2;
        log.LogInformation("Pinging the systemd watchdog every {Period}.", period);
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                // The worker beats every second; three missed beats means it is stuck.
                if (machine.State == StationState.Stopping)
                {
                    continue;
                }
                if (health.IsAlive(StationWorker.HeartbeatPeriod * 3))
                {
                    notifier.Notify(new ServiceState("WATCHDOG=1"));
                }
                else
                {
                    log.LogWarning("Worker heartbeat missing; not pinging the watchdog.");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
    }
}
