using System.CommandLine;
using Acquisition.Core.Units;
using Acquisition.ServiceConsole.Cli;

namespace Acquisition.Console.Stack;

/// <summary>
/// `acq stack &lt;folder or files&gt; --z-start µm --z-step µm [--pixel-size µm] --out dir`: fuses a stack of image
/// files with the station's streaming pipeline and writes the fused image, the X3P height map, a depth preview and a
/// JSON quality report.
/// </summary>
public sealed class StackCommand : Command
{
    /// <param name="json">The global --json option: with it stdout carries the report (or an error document) instead of the summary line.</param>
    public StackCommand(Option<bool>? json = null)
        : base("stack", "Fuse a focus stack of PNG/TIFF files (8 or 16 bit) into an all-in-focus image and an X3P height map.")
    {
        var inputs = new Argument<string[]>("inputs")
        {
            Description = "A folder (its .png/.tif/.tiff files, sorted by name, numbers in names compared as numbers) or the slice files in stack order.",
            Arity = ArgumentArity.OneOrMore,
        };
        var zStart = new Option<double>("--z-start") { Description = "Stage z of the first slice, µm.", Required = true };
        var zStep = new Option<double>("--z-step") { Description = "Stage z step between slices, µm (negative when z decreases).", Required = true };
        var pixelSize = new Option<double?>("--pixel-size") { Description = "Object-side pixel size, µm (default 2.5, the station's nominal optics)." };
        var output = new Option<string>("--out") { Description = "Output folder; existing result files are never overwritten.", Required = true };
        var bitDepth = new Option<int?>("--bit-depth") { Description = "Significant bits of 16-bit files (e.g. 12 for a Mono12 camera's frames stored unshifted); default 16. Files with larger values are refused." };
        var magnification = new Option<double?>("--magnification-per-um")
        {
            Description = "The optics' relative magnification change per µm of z (the station's pixel-size calibration, e.g. 3e-4); every slice is scaled to the first slice's magnification. Must be below 1e-3 in magnitude. Default 0 (telecentric).",
        };
        Arguments.Add(inputs);
        Options.Add(zStart);
        Options.Add(zStep);
        Options.Add(pixelSize);
        Options.Add(output);
        Options.Add(bitDepth);
        Options.Add(magnification);

        SetAction(async (parse, cancellationToken) =>
        {
            var job = new StackJob(
                parse.GetValue(inputs) ?? [],
                new Micrometres(parse.GetValue(zStart)),
                new Micrometres(parse.GetValue(zStep)),
                parse.GetValue(pixelSize) is { } px ? new Micrometres(px) : null,
                parse.GetValue(output)!,
                parse.GetValue(bitDepth),
                parse.GetValue(magnification) ?? 0);
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            bool asJson = json is not null && parse.GetValue(json);
            async Task<int> FailAsync(int exitCode, string message)
            {
                if (asJson)
                {
                    await stdout.WriteLineAsync(CommandOutput.ErrorJson(exitCode, CommandActions.KindOf(exitCode), message, null)).ConfigureAwait(false);
                }
                else
                {
                    await stderr.WriteLineAsync("acq stack: " + message).ConfigureAwait(false);
                }
                return exitCode;
            }
            try
            {
                // Notes and warnings on stderr (docs/console.md); stdout carries only the summary line, or with --json
                // the report itself.
                var summary = await job.RunAsync(stderr, cancellationToken).ConfigureAwait(false);
                if (asJson)
                {
                    var report = await File.ReadAllTextAsync(Path.Combine(parse.GetValue(output)!, StackJob.ReportFileName), cancellationToken).ConfigureAwait(false);
                    await stdout.WriteLineAsync(report).ConfigureAwait(false);
                }
                else
                {
                    await stdout.WriteLineAsync(summary).ConfigureAwait(false);
                }
                return ExitCodes.Ok;
            }
            catch (StackInputException e)
            {
                return await FailAsync(e.ExitCode, e.Message).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return await FailAsync(ExitCodes.Interrupted, "interrupted; the results written so far were removed, so the same --out can be used again.").ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Writing the results failed after the up-front check (disk full, folder removed meanwhile).
                return await FailAsync(ExitCodes.LocalFile, "cannot read or write a file: " + e.Message).ConfigureAwait(false);
            }
        });
    }
}
