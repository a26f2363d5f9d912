namespace Acquisition.Uplink.Tests;

/// <summary>
/// Runs an action the Nth time a named checkpoint is reached (in-process fault injection), and adds every chunk put on
/// the wire to <see cref="Ledger"/> when one is given (what a resume re-sends).
/// </summary>
public sealed class CheckpointActions : IUplinkCheckpoints
{
    private readonly Dictionary<string, int> _hits = new(StringComparer.Ordinal);
    private readonly List<(string Name, int Hit, Action Action)> _actions = [];

    public CheckpointActions On(string name, int hit, Action action)
    {
        _actions.Add((name, hit, action));
        return this;
    }

    public ResendLedger? Ledger { get; init; }

    public void Sending(string blobDigest, long offset, int length) => Ledger?.Record(blobDigest, offset, length);

    public int Hits(string name)
    {
        lock (_hits)
        {
            return _hits.GetValueOrDefault(name);
        }
    }

    public void Reached(string checkpoint)
    {
        int n;
        lock (_hits)
        {
            n = _hits[checkpoint] = _hits.GetValueOrDefault(checkpoint) + 1;
        }
        foreach (var (name, hit, action) in _actions)
        {
            if (name == checkpoint && hit == n)
            {
                action();
            }
        }
    }
}
