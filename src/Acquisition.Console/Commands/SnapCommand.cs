using System.CommandLine;
using System.Security.Cryptography;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq snap --out f.png: one frame to a PNG file.</summary>
internal static class SnapCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var output = new Option<FileInfo>("--out") { Description = "The PNG file to write. Never overwritten unless --force.", Required = true, HelpName = "file.png" };
        var force = new Option<bool>("--force") { Description = "Replace --out if it exists." };
        var exposure = new Option<double?>("--exposure") { Description = "Exposure in µs for this frame (default: the camera's current exposure).", HelpName = "µs" };
        var gain = new Option<double?>("--gain") { Description = "Analogue gain for this frame (default: current).", HelpName = "gain" };
        var command = new Command("snap", "Take one frame with the current lights and stage position and save it as PNG (full resolution, the camera's bit depth).")
        {
            output, force, exposure, gain,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var file = inv.Get(output)!;
            if (file.Exists && !inv.Get(force))
            {
                throw CliException.LocalFile($"{file.FullName} exists. Choose another --out, or add --force to replace it.");
            }
            if (inv.Get(exposure) is { } e && !(e > 0))
            {
                throw CliException.Usage("--exposure must be a positive number of µs.");
            }
            using var client = inv.CreateClient();
            var png = await client.SnapAsync(new SnapRequest(inv.Get(exposure), inv.Get(gain)), ct).ConfigureAwait(false);
            await using (var stream = new FileStream(file.FullName, inv.Get(force) ? FileMode.Create : FileMode.CreateNew, FileAccess.Write))
            {
                await stream.WriteAsync(png, ct).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            var sha = Convert.ToHexStringLower(SHA256.HashData(png));
            if (inv.Json)
            {
                inv.Output.WriteJson(new { path = file.FullName, sizeBytes = png.LongLength, sha256 = sha });
            }
            else
            {
                inv.Output.Line(Markup.Escape($"Wrote {file.FullName} ({Format.Bytes(png.LongLength)}, sha256 {sha})."));
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
