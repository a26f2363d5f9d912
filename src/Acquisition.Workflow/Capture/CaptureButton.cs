using Acquisition.Core.Hardware;
using Acquisition.Workflow.Cases;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// The operator flow: a short press of the capture button starts a capture for the current case (a press while one
/// runs, or with no case set, is refused with a log line and the Fault LED briefly). Long presses are the sequence's
/// own abort. Each finished capture is announced through <see cref="CaptureFinished"/>.
/// </summary>
public sealed class CaptureButton : IDisposable
{
    private readonly IOperatorPanel _panel;
    private readonly CaseContextStore _cases;
    private readonly CaptureSequence _sequence;
    private readonly string _user;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Task _current = Task.CompletedTask;

    public CaptureButton(IOperatorPanel panel, CaseContextStore cases, CaptureSequence sequence, string user, ILogger<CaptureButton>? log = null)
    {
        _panel = panel;
        _cases = cases;
        _sequence = sequence;
        _user = user;
        _log = (ILogger?)log ?? NullLogger.Instance;
        _panel.EventRaised += OnPanelEvent;
    }

    /// <summary>Raised after every capture the button started, with its outcome.</summary>
    public event EventHandler<CaptureOutcome>? CaptureFinished;

    /// <summary>Raised when a press could not start a capture, with the reason.</summary>
    public event EventHandler<string>? PressRefused;

    /// <summary>The capture the last press started (completed when none runs).</summary>
    public Task Current
    {
        get { lock (_gate) { return _current; } }
    }

    private void OnPanelEvent(object? sender, PanelEvent e)
    {
        if (e.Kind != PanelEventKind.CapturePressed)
        {
            return;
        }
        lock (_gate)
        {
            if (!_current.IsCompleted || _sequence.IsRunning)
            {
                Refuse("a capture is already running");
                return;
            }
            _current = Task.Run(RunAsync);
        }
    }

    private async Task RunAsync()
    {
        try
        {
            var current = await _cases.GetAsync(_stopping.Token).ConfigureAwait(false);
            if (current is null)
            {
                Refuse("no case is set: set it through PUT /case (or Station:Case:Preset) first");
                return;
            }
            var outcome = await _sequence.RunAsync(current, _user, _stopping.Token).ConfigureAwait(false);
            CaptureFinished?.Invoke(this, outcome);
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException or IOException)
        {
            Refuse(ex.Message);
        }
    }

    private void Refuse(string reason)
    {
        _log.LogWarning("Capture button: {Reason}", reason);
        PressRefused?.Invoke(this, reason);
    }

    public void Dispose()
    {
        _panel.EventRaised -= OnPanelEvent;
        _stopping.Cancel();
        _stopping.Dispose();
    }
}
