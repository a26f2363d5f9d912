using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.HardwareSim;
using Acquisition.Packaging;
using Acquisition.Station.Hosting;
using Acquisition.Workflow.Cases;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Station.Capture;

/// <summary>
/// --demo: once the station is Ready, captures the configured case preset once — on the simulator it first closes
/// the door and inserts the casing on the bench, then presses the bench's capture button, so the demo goes through
/// the real panel path (GPIO, debounce, capture button, current case) — prints the package, its QC per region and the timing report,
/// verifies the package, and stops the host. Exit code 1 when the capture or the verification failed.
/// </summary>
public sealed class DemoCaptureService(
    StationLaunch launch, StationStateMachine machine, IServiceProvider services, IHostApplicationLifetime lifetime,
    ILogger<DemoCaptureService> log) : BackgroundService
{
    /// <summary>Failure guard for the simulated casing sensor's debounce (wall time; the clock may be virtual).</summary>
    private static readonly TimeSpan SensorGuard = TimeSpan.FromSeconds(30);

    /// <summary>Held on the bench's clock: well below the panel's long press, which would abort instead.</summary>
    private static readonly TimeSpan ShortPress = TimeSpan.FromMilliseconds(200);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!launch.Demo)
        {
            return;
        }
        try
        {
            await machine.WaitForAsync(StationState.Ready, stoppingToken).ConfigureAwait(false);
            var ok = await RunDemoAsync(stoppingToken).ConfigureAwait(false);
            if (!ok)
            {
                Environment.ExitCode = 1;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Demo capture failed");
            Console.Error.WriteLine($"Demo capture FAILED: {ex.GetType().Name}: {ex.Message}");
            Environment.ExitCode = 1;
        }
        lifetime.StopApplication();
    }

    private async Task<bool> RunDemoAsync(CancellationToken ct)
    {
        if (services.GetService<ICamera>() is null)
        {
            Console.Error.WriteLine("Demo capture FAILED: no camera is composed for Station:Hardware; use the sim profile (firmware-config/station.sim.json).");
            return false;
        }
        var cases = services.GetRequiredService<CaseContextStore>();
        var caseContext = await cases.GetAsync(ct).ConfigureAwait(false);
        if (caseContext is null)
        {
            Console.Error.WriteLine("Demo capture FAILED: no case is set; give one in Station:Case:Preset.");
            return false;
        }
        var sequence = services.GetRequiredService<CaptureSequence>();
        Console.WriteLine($"Demo: capturing case {caseContext.Agency} {caseContext.CaseNumber} exhibit {caseContext.Exhibit} item {caseContext.Item} ({caseContext.Calibre})...");
        CaptureOutcome outcome;
        if (services.GetService<SimulatedBench>() is { } bench)
        {
            await LoadSimulatedCasingAsync(bench, services.GetRequiredService<IOperatorPanel>(), ct).ConfigureAwait(false);
            outcome = await PressCaptureButtonAsync(bench, sequence, ct).ConfigureAwait(false);
        }
        else
        {
            // Real hardware has no button the software can press: run the capture the button would have started.
            outcome = await sequence.RunAsync(caseContext, caseContext.OperatorId, ct).ConfigureAwait(false);
        }

        Console.WriteLine($"Demo capture {outcome.Record.CaptureId}: {outcome.Status}");
        Console.WriteLine($"  package: {outcome.PackagePath ?? "(none)"}");
        Console.WriteLine("  QC per region:");
        foreach (var region in outcome.Record.Regions)
        {
            var last = region.Attempts.Count > 0 ? region.Attempts[^1] : null;
            Console.WriteLine($"    {region.Region}: {region.Status} after {region.Attempts.Count} attempt(s); {(last?.Metrics is { } m ? m.ToString() : "no metrics")}");
            foreach (var reason in region.Attempts.SelectMany(a => a.Reasons))
            {
                Console.WriteLine($"      - {reason}");
            }
        }
        foreach (var reason in outcome.Record.Reasons)
        {
            Console.WriteLine($"  reason: {reason}");
        }
        var t = outcome.Timing;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  timing: total {t.Total.TotalSeconds:0.00} s, physical floor {t.Floor.TotalSeconds:0.00} s, ratio {t.Ratio:0.00} ({t})"));

        if (outcome.PackagePath is null)
        {
            Console.Error.WriteLine("Demo capture FAILED: no package was sealed.");
            return false;
        }
        var keys = services.GetRequiredService<StationKeyStore>();
        var verification = await PackageVerifier.VerifyAsync(outcome.PackagePath, keys.TrustedKeyIds(), ct).ConfigureAwait(false);
        Console.WriteLine(verification.IsValid ? "  package verifies (manifest hashes and station signature)" : "  package does NOT verify: " + string.Join("; ", verification.Problems));
        if (outcome.Status != CaptureStatus.Complete)
        {
            Console.Error.WriteLine($"Demo capture FAILED: status {outcome.Status}: {string.Join(" | ", outcome.Record.Reasons)}");
            return false;
        }
        return verification.IsValid;
    }

    /// <summary>
    /// Presses the simulated capture button (a short press on the bench's GPIO input, through the panel driver's
    /// debounce and the capture button service, as a technician would) and waits for the capture it starts.
    /// </summary>
    private static async Task<CaptureOutcome> PressCaptureButtonAsync(SimulatedBench bench, CaptureSequence sequence, CancellationToken ct)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var finished = new TaskCompletionSource<CaptureOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnProgress(object? sender, CaptureProgress p) => started.TrySetResult();
        void OnFinished(object? sender, CaptureOutcome o) => finished.TrySetResult(o);
        sequence.Progress += OnProgress;
        sequence.Finished += OnFinished;
        try
        {
            Console.WriteLine("Demo: pressing the simulated capture button...");
            await bench.PressAsync(ShortPress, ct).ConfigureAwait(false);
            try
            {
                await started.Task.WaitAsync(SensorGuard, ct).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new InvalidOperationException(
                    $"The simulated capture button was pressed but no capture started within {SensorGuard.TotalSeconds:0} s: the capture button service connects the button only when a camera is composed; see the log for a refused press.");
            }
            return await finished.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            sequence.Progress -= OnProgress;
            sequence.Finished -= OnFinished;
        }
    }

    /// <summary>Closes the bench's door and inserts the casing, then waits for the panel's debounced casing signal.</summary>
    private static async Task LoadSimulatedCasingAsync(SimulatedBench bench, IOperatorPanel panel, CancellationToken ct)
    {
        var casing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnPanel(object? sender, PanelEvent e)
        {
            if (e.Kind == PanelEventKind.CasingInserted)
            {
                casing.TrySetResult();
            }
        }
        panel.EventRaised += OnPanel;
        try
        {
            bench.CloseDoor();
            bench.InsertCasing();
            if (panel.CasingPresent == true)
            {
                casing.TrySetResult();
            }
            await casing.Task.WaitAsync(SensorGuard, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new HardwareFaultException($"The simulated casing sensor did not report the inserted casing within {SensorGuard.TotalSeconds:0} s.");
        }
        finally
        {
            panel.EventRaised -= OnPanel;
        }
    }
}
