using Microsoft.Extensions.Options;

namespace Acquisition.Station.Web;

/// <summary>
/// Locks an operator id after Web:PinMaxAttempts wrong PINs in a row, for Web:PinLockout, on the station's clock. A
/// four-digit PIN falls to guessing without it. Counted per typed id (known or not, so a lock does not reveal which
/// ids exist); a correct PIN before the limit resets the count. Locks are kept in the <see cref="PinLockStore"/> (when
/// given), so a daemon restart does not clear them; counts below the limit are held in memory only. The audit log keeps
/// every failure and lock.
/// </summary>
public sealed class SignInThrottle
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Failures, DateTimeOffset? LockedUntil)> _byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly IOptions<WebOptions> _options;
    private readonly TimeProvider _time;
    private readonly PinLockStore? _store;

    public SignInThrottle(IOptions<WebOptions> options, TimeProvider time, PinLockStore? store = null)
    {
        _options = options;
        _time = time;
        _store = store;
        if (store is not null)
        {
            foreach (var (id, until) in store.Load(time.GetUtcNow()))
            {
                _byId[Key(id)] = (options.Value.PinMaxAttempts, until);
            }
        }
    }

    /// <summary>When the id is locked now, until when; null when it may try.</summary>
    public DateTimeOffset? LockedUntil(string id)
    {
        var key = Key(id);
        lock (_gate)
        {
            if (_byId.TryGetValue(key, out var entry) && entry.LockedUntil is { } until)
            {
                if (_time.GetUtcNow() < until)
                {
                    return until;
                }
                _byId.Remove(key); // the lock ran out: a fresh count
                _store?.Remove(key);
            }
            return null;
        }
    }

    /// <summary>Counts a wrong PIN; returns the lock's end when this failure locked the id (durably, before returning).</summary>
    public async Task<DateTimeOffset?> FailedAsync(string id, CancellationToken cancellationToken)
    {
        var key = Key(id);
        DateTimeOffset? locked = null;
        lock (_gate)
        {
            _byId.TryGetValue(key, out var entry);
            var failures = entry.Failures + 1;
            if (failures >= _options.Value.PinMaxAttempts)
            {
                locked = _time.GetUtcNow() + _options.Value.PinLockout;
                _byId[key] = (failures, locked);
            }
            else
            {
                _byId[key] = (failures, null);
            }
        }
        if (locked is { } until && _store is not null)
        {
            await _store.SaveAsync(key, until, cancellationToken).ConfigureAwait(false);
        }
        return locked;
    }

    public void Succeeded(string id)
    {
        lock (_gate)
        {
            _byId.Remove(Key(id));
        }
        _store?.Remove(Key(id));
    }

    private static string Key(string id) => id.Trim();
}
