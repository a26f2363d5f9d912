using Acquisition.ServiceConsole.Client;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Cli;

/// <summary>
/// Shows a long station operation: a Spectre progress bar on a terminal, one line per new step on stderr when
/// output is redirected, nothing in --json mode.
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(CommandOutput output, string title, Func<IProgress<OperationProgress>, Task<T>> operation)
    {
        if (output.Json)
        {
            return await operation(new Progress<OperationProgress>(_ => { })).ConfigureAwait(false);
        }
        if (!output.CanShowProgress)
        {
            output.Note(title + " ...");
            string? last = null;
            return await operation(new SynchronousProgress(p =>
            {
                if (p.Message is { } m && m != last)
                {
                    last = m;
                    output.Note("  " + m);
                }
            })).ConfigureAwait(false);
        }
        T result = default!;
        await output.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(Markup.Escape(title), maxValue: 1.0);
                task.IsIndeterminate = true;
                result = await operation(new SynchronousProgress(p =>
                {
                    if (p.Fraction is { } f)
                    {
                        task.IsIndeterminate = false;
                        task.Value = Math.Clamp(f, 0, 1);
                    }
                    if (p.Message is { } m)
                    {
                        task.Description = Markup.Escape(title + ": " + m);
                    }
                })).ConfigureAwait(false);
                task.Value = 1.0;
                task.StopTask();
            }).ConfigureAwait(false);
        return result;
    }

    // Progress<T> posts to the thread pool, so its last reports can arrive after the result; this reports in order.
    private sealed class SynchronousProgress(Action<OperationProgress> report) : IProgress<OperationProgress>
    {
        public void Report(OperationProgress value) => report(value);
    }
}
