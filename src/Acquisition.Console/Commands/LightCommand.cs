using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq light set &lt;segments&gt; &lt;level&gt; | acq light off.</summary>
internal static class LightCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var segments = new Argument<string>("segments") { Description = "Ring segments, 0-based: 'all', '0,2,4' or '0-3'. The others are switched off." };
        var level = new Argument<string>("level") { Description = "Level as a fraction 0–1 (0.4) or a percentage (40%)." };
        var coaxial = new Option<string?>("--coaxial") { Description = "Also set the coaxial light (0–1 or %); default: leave it as it is.", HelpName = "level" };
        var set = new Command("set", "Set ring-light segments to a level; every other segment goes off. Audited.") { segments, level, coaxial };
        CommandActions.Set(set, globals, async (inv, ct) =>
        {
            var request = new LightsRequest(
                ValueParsers.Segments(inv.Get(segments)!),
                ValueParsers.Level(inv.Get(level)!, "Level"),
                inv.Get(coaxial) is { } c ? ValueParsers.Level(c, "--coaxial") : null);
            return await SendAsync(inv, request, ct).ConfigureAwait(false);
        });
        var off = new Command("off", "Switch every light off, the coaxial light included. Audited.");
        CommandActions.Set(off, globals, (inv, ct) => SendAsync(inv, new LightsRequest(null, 0, 0), ct));
        return new Command("light", "Control the ring light and the coaxial light.") { set, off };
    }

    private static async Task<int> SendAsync(Invocation inv, LightsRequest request, CancellationToken ct)
    {
        using var client = inv.CreateClient();
        var result = await client.SetLightsAsync(request, ct).ConfigureAwait(false);
        if (inv.Json)
        {
            inv.Output.WriteJson(result);
        }
        else
        {
            inv.Output.Line(Markup.Escape("Lights: ring [" + string.Join(", ", result.Segments.Select(Format.Level)) + "], coaxial " + Format.Level(result.Coaxial)));
        }
        return ExitCodes.Ok;
    }
}
