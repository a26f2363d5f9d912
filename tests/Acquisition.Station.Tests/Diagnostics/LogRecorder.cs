using Microsoft.Extensions.Logging;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>
/// A logger provider added to a running station's factory: completes a task when a matching message is logged, so a
/// test can await what the station reports (a refused button press has no other outlet).
/// </summary>
public sealed class LogRecorder : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<(Func<string, string, bool> Match, TaskCompletionSource<string> Seen)> _waits = [];

    /// <summary>Completes with the first message logged from now on whose category and text match.</summary>
    public Task<string> WaitFor(Func<string, string, bool> match)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waits.Add((match, seen));
        }
        return seen.Task;
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this, categoryName);

    public void Dispose()
    {
        lock (_gate)
        {
            _waits.Clear();
        }
    }

    private void Record(string category, string message)
    {
        lock (_gate)
        {
            foreach (var w in _waits.Where(w => w.Match(category, message)).ToList())
            {
                w.Seen.TrySetResult(message);
                _waits.Remove(w);
            }
        }
    }

    private sealed class Recorder(LogRecorder owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Record(category, formatter(state, exception));
    }
}
