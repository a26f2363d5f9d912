namespace Acquisition.Uplink.Tests;

/// <summary>A counter that tests can await: a task per threshold, completed (asynchronously) once the count reaches it.</summary>
public sealed class CountReached
{
    private readonly object _gate = new();
    private readonly List<(long Count, TaskCompletionSource Reached)> _waiters = [];
    private long _count;

    public long Value
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    public void Add(long delta)
    {
        List<TaskCompletionSource> done;
        lock (_gate)
        {
            _count += delta;
            done = _waiters.Where(w => w.Count <= _count).Select(w => w.Reached).ToList();
            _waiters.RemoveAll(w => w.Count <= _count);
        }
        done.ForEach(t => t.TrySetResult());
    }

    /// <summary>Completes once the count is at least <paramref name="count"/>.</summary>
    public Task WhenReachedAsync(long count)
    {
        lock (_gate)
        {
            if (_count >= count)
            {
                return Task.CompletedTask;
            }
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, tcs));
            return tcs.Task;
        }
    }
}
