using System.Diagnostics;
using System.Text.Json;

namespace Acquisition.Console.Tests;

/// <summary>Runs the real built `acq` (acq.dll next to the tests) as a child process and captures its output.</summary>
internal static class AcqProcess
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    public static async Task<AcqResult> RunAsync(params string[] args) => await RunAsync(args, null).ConfigureAwait(false);

    public static async Task<AcqResult> RunAsync(string[] args, IDictionary<string, string?>? environment)
    {
        var start = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "acq.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }
        // A developer's own station settings must not leak into the tests.
        start.Environment.Remove("ACQ_SOCKET");
        start.Environment.Remove("ACQ_DATA");
        start.Environment["NO_COLOR"] = "1";
        start.Environment["TERM"] = "dumb";
        start.Environment["DOTNET_NOLOGO"] = "1";
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                start.Environment[k] = v;
            }
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start acq");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Guard);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"acq {string.Join(' ', args)} did not finish within {Guard.TotalSeconds} s");
        }
        return new AcqResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}

/// <summary>What one acq run produced.</summary>
internal sealed record AcqResult(int ExitCode, string Stdout, string Stderr)
{
    public JsonElement Json()
    {
        try
        {
            using var doc = JsonDocument.Parse(Stdout);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"stdout is not one JSON document ({ex.Message}):\n{Stdout}\nstderr:\n{Stderr}");
        }
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
