using Acquisition.Uplink;

namespace Acquisition.WebUi.Tests;

/// <summary>
/// Holds the uplink right after a package is committed to the outbox (state Pending, the uplink not yet woken), until
/// the test has seen "queued" on the page: the only way to observe a state that a local destination leaves in
/// milliseconds. Not armed, it does nothing.
/// </summary>
public sealed class UploadGate : IUplinkCheckpoints, IDisposable
{
    public const string Checkpoint = "enqueue.after-commit";

    private readonly ManualResetEventSlim _open = new(initialState: true);
    private readonly TimeSpan _guard;

    public UploadGate(TimeSpan guard) => _guard = guard;

    /// <summary>Completed when a package reached the checkpoint while the gate was closed.</summary>
    public TaskCompletionSource Held { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Close()
    {
        Held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _open.Reset();
    }

    public void Open() => _open.Set();

    public void Reached(string checkpoint)
    {
        if (checkpoint != Checkpoint || _open.IsSet)
        {
            return;
        }
        Held.TrySetResult();
        // A failure guard: a test that forgets to open the gate must not hang the uplink forever.
        _open.Wait(_guard);
    }

    public void Dispose() => _open.Dispose();
}
