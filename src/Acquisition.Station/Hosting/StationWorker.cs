using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Panel;
using Acquisition.Station.Configuration;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Hosting;

/// <summary>
/// Brings the station up (Starting → Homing → Ready), keeps the heartbeat and the door interlock while it runs, and
/// on stop takes it to Stopping and the safe state. Later issues hang the capture workflow off the Ready state.
/// </summary>
public sealed class StationWorker(
    StationStateMachine machine,
    IStage stage,
    IRingLight light,
    IOperatorPanel panel,
    SafeStateGuard safeState,
    IOptions<StationOptions> stationOptions,
    IOptions<StageOptions> stageOptions,
    StationLaunch launch,
    StationHealth health,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<StationWorker> log,
    ILogger<SafetyInterlock> interlockLog) : BackgroundService
{
    public static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(1);

    /// <summary>The safe state must be reached well inside systemd's stop timeout and the 5 s the station promises.</summary>
    public static readonly TimeSpan SafeStateTimeout = TimeSpan.FromSeconds(3);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        health.Beat();
        // The door's second channel, for as long as the station runs: a capture has its own abort handling, but lights
        // set by a service command or a calibration, and a jog or homing, are not a capture's. Opening the door feed-
        // holds the stage and switches the ring light off whatever is running.
        using var interlock = new SafetyInterlock(panel, stage, light, interlockLog);
        machine.Changed += ShowState;
        var grbl = stage as GrblStage;
        if (grbl is not null)
        {
            grbl.Faulted += OnStageFaulted;
        }
        try
        {
            await RunAsync(stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            machine.Changed -= ShowState;
            if (grbl is not null)
            {
                grbl.Faulted -= OnStageFaulted;
            }
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Bring the hardware up only once the whole host (control API included) runs, so that a fault or
            // --once stop cannot race the other services' start, and /status can show Homing.
            await WhenStarted(stoppingToken).ConfigureAwait(false);
            await BringUpAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            Fault(ex);
        }
        // --demo hands a Ready station to the demo capture, which stops the host when its capture is done.
        if (launch.ExitWhenReady && !(launch.Demo && machine.State == StationState.Ready))
        {
            log.LogInformation("--once: stopping after start-up (state {State}).", machine.State);
            lifetime.StopApplication();
        }
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                health.Beat();
                await Task.Delay(HeartbeatPeriod, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal stop.
        }
    }

    /// <summary>
    /// The panel's LED follows the state, whoever changed it: a fault cleared by homing must not leave the Fault LED
    /// blinking over a Ready station, nor a fault found while idle leave it showing Ready.
    /// </summary>
    private void ShowState(object? sender, StationStateChange change)
    {
        // Changes are published outside the machine's lock, on whichever thread made them: show the state as it is
        // now, under one lock, so that two close together cannot leave the LED on the older one.
        lock (_ledGate)
        {
            ShowLocked(machine.State);
        }
    }

    private readonly Lock _ledGate = new();

    private void ShowLocked(StationState state)
    {
        StatusIndicator? indicator = state switch
        {
            StationState.Ready => StatusIndicator.Ready,
            StationState.Fault => StatusIndicator.Fault,
            StationState.Homing or StationState.Capturing or StationState.Servicing => StatusIndicator.Busy,
            _ => null,
        };
        if (indicator is not { } shown)
        {
            return;
        }
        try
        {
            panel.ShowIndicator(shown);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Could not show {Indicator} on the operator panel.", shown);
        }
    }

    /// <summary>
    /// A stage fault while the station is idle (an ALARM from a limit switch, the controller's USB cable pulled, an
    /// unexpected reset): nothing is running to report it, so the station goes to Fault itself, with the driver's
    /// message, and switches the lights off. A capture or a diagnostic that holds the stage ends on the fault itself.
    /// </summary>
    private void OnStageFaulted(object? sender, HardwareFaultException fault)
    {
        if (!machine.TryTransition(StationState.Ready, StationState.Fault, "stage fault while idle: " + fault.Message, out _))
        {
            return;
        }
        log.LogError("Stage fault while idle: {Fault}", fault.Message);
        _ = Task.Run(async () =>
        {
            try
            {
                await light.AllOffAsync(CancellationToken.None).ConfigureAwait(false);
                log.LogInformation("Stage fault while idle: lights off.");
            }
            catch (Exception ex)
            {
                log.LogError(ex, "Stage fault while idle: the lights could not be switched off.");
            }
        });
    }

    private Task WhenStarted(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken).ContinueWith(t =>
        {
            registration.Dispose();
            return t;
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Unwrap();
    }

    private async Task BringUpAsync(CancellationToken ct)
    {
        log.LogInformation("Station {StationId} starting on {Hardware} hardware.",
            stationOptions.Value.StationId, stationOptions.Value.Hardware);
        panel.ShowIndicator(StatusIndicator.Busy);
        await light.AllOffAsync(ct).ConfigureAwait(false);
        await stage.ConnectAsync(ct).ConfigureAwait(false);
        panel.SetMotorsEnabled(true);
        string reason;
        if (stageOptions.Value.HomeOnStart)
        {
            machine.TransitionTo(StationState.Homing, "homing the stage at start");
            await stage.HomeAsync(ct).ConfigureAwait(false);
            reason = "stage homed at " + stage.Status.Position;
        }
        else
        {
            reason = "started without homing (Stage:HomeOnStart=false): moves are refused until homed";
        }
        machine.TransitionTo(StationState.Ready, reason); // the LED follows (ShowState)
        log.LogInformation("Station {StationId} Ready: {Reason}.", stationOptions.Value.StationId, reason);
    }

    private void Fault(Exception ex)
    {
        var reason = ex is HardwareFaultException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
        log.LogError(ex, "Station start-up failed: {Reason}", reason);
        if (machine.CanTransition(StationState.Fault))
        {
            machine.TransitionTo(StationState.Fault, reason);
        }
        TryShowFault();
        if (launch.ExitWhenReady)
        {
            Environment.ExitCode = 1;
        }
    }

    private void TryShowFault()
    {
        try
        {
            panel.ShowIndicator(StatusIndicator.Fault);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Could not show the fault on the operator panel.");
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (machine.CanTransition(StationState.Stopping))
        {
            machine.TransitionTo(StationState.Stopping, "service stopping");
        }
        // Cancel the bring-up first so that no new command races the hold.
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SafeStateTimeout);
        await safeState.ApplyAsync("service stopping", timeout.Token).ConfigureAwait(false);
    }
}
