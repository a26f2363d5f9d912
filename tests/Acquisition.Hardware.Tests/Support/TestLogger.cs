using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests;

/// <summary>Routes driver logs to the test's output, so that a failing run shows what the driver saw.</summary>
internal sealed class TestLogger<T>(ITestOutputHelper output, TimeProvider clock) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{clock.GetUtcNow():HH:mm:ss.fff} {logLevel,-11} {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // the test has finished; late log lines have nowhere to go
        }
    }
}
