using System.CommandLine;
using System.Text.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq calibrate pixel-size|flat-field|z|lights: run a procedure on the station, show the new record.</summary>
internal static class CalibrateCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var command = new Command("calibrate",
            "Run a calibration procedure on the station. Each writes a new dated, versioned record (who, when, values, residuals, instrument state); " +
            "the history keeps the old ones and captures reference record ids. Audited with your user. The station refuses (exit 4) when the target is unusable, and says why.");
        command.Subcommands.Add(PixelSize(globals));
        command.Subcommands.Add(FlatField(globals));
        command.Subcommands.Add(ZScale(globals));
        command.Subcommands.Add(Lights(globals));
        return command;
    }

    private static Command PixelSize(GlobalOptions globals)
    {
        var target = new Option<string>("--target") { Description = "The target under the objective: dot-grid or stage-micrometer.", DefaultValueFactory = _ => "dot-grid" };
        target.AcceptOnlyFromAmong("dot-grid", "stage-micrometer");
        var pitch = new Option<double?>("--pitch") { Description = "The target's certified pitch in µm (dot spacing or line spacing); default: the configured target's.", HelpName = "µm" };
        var travel = new Option<double?>("--travel") { Description = "Stage travel per measured shift in µm (default 200). Must stay inside the field of view.", HelpName = "µm" };
        var c = new Command("pixel-size", "Measure the pixel size in X and Y (µm/px) and the camera–stage rotation (degrees): moves the stage known distances over the target and tracks the image shift by phase correlation. Reports residuals.")
        {
            target, pitch, travel,
        };
        Bind(c, globals, CalibrationKind.PixelSize, inv => new CalibrationRequest(inv.Get(target), Parameters(("pitchMicrometres", inv.Get(pitch)), ("travelMicrometres", inv.Get(travel)))));
        return c;
    }

    private static Command FlatField(GlobalOptions globals)
    {
        var frames = new Option<int?>("--frames") { Description = "Frames averaged per lighting configuration (default 16).", HelpName = "count" };
        var c = new Command("flat-field", "Record one gain map per lighting configuration from a diffuse target. Refused when the target is saturated or too dark (the message says which, and for which lighting).")
        {
            frames,
        };
        Bind(c, globals, CalibrationKind.FlatField, inv => new CalibrationRequest("diffuse", Parameters(("framesAveraged", inv.Get(frames)))));
        return c;
    }

    private static Command ZScale(GlobalOptions globals)
    {
        var method = new Option<string>("--method") { Description = "step-height: a certified step-height standard; focus-heights: focus on a target at known heights.", DefaultValueFactory = _ => "step-height" };
        method.AcceptOnlyFromAmong("step-height", "focus-heights");
        var height = new Option<double?>("--step-height") { Description = "The standard's certified step height in µm (default: the configured standard's).", HelpName = "µm" };
        var c = new Command("z", "Measure the Z scale (true µm per commanded µm) and the Z backlash (µm), approaching from both sides.")
        {
            method, height,
        };
        Bind(c, globals, CalibrationKind.ZScale, inv => new CalibrationRequest(inv.Get(method), Parameters(("stepHeightMicrometres", inv.Get(height)))));
        return c;
    }

    private static Command Lights(GlobalOptions globals)
    {
        var level = new Option<string?>("--level") { Description = "Target mean brightness as a fraction of full scale, 0–1 or % (default 0.5).", HelpName = "level" };
        var c = new Command("lights", "Balance the ring segments to equal brightness on a diffuse target; records one drive factor per segment.")
        {
            level,
        };
        Bind(c, globals, CalibrationKind.Lights, inv => new CalibrationRequest("diffuse",
            Parameters(("targetLevel", inv.Get(level) is { } l ? ValueParsers.Level(l, "--level") : null))));
        return c;
    }

    private static Dictionary<string, double>? Parameters(params (string Name, double? Value)[] values)
    {
        var given = values.Where(v => v.Value is not null).ToDictionary(v => v.Name, v => v.Value!.Value, StringComparer.Ordinal);
        foreach (var (name, value) in given)
        {
            if (!double.IsFinite(value) || value <= 0)
            {
                throw CliException.Usage($"{name} must be a positive number, not {Format.Number(value)}.");
            }
        }
        return given.Count == 0 ? null : given;
    }

    private static void Bind(Command command, GlobalOptions globals, CalibrationKind kind, Func<Invocation, CalibrationRequest> request)
    {
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            var body = request(inv);
            using var client = inv.CreateClient();
            var result = await ProgressDisplay.RunAsync(inv.Output, "Calibrating " + CalibrationNames.Verb(kind), p => client.CalibrateAsync(kind, body, p, ct)).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(result);
                return ExitCodes.Ok;
            }
            var r = result.Record;
            inv.Output.Line(Markup.Escape($"Recorded {r.Id} (version {r.Version}) by {r.PerformedBy} at {Format.Utc(r.PerformedAt)}; valid until {Format.Utc(r.ValidUntil)}."));
            var table = new Table().AddColumns("Measure", "Value", "Unit", "Limits", "Result");
            foreach (var m in result.Summary)
            {
                table.AddRow(Markup.Escape(m.Name), Format.Number(m.Value), Markup.Escape(m.Unit), Markup.Escape(Limits(m)),
                    m.Passed switch { true => "[green]pass[/]", false => "[red]FAIL[/]", null => "" });
            }
            inv.Output.Write(table);
            if (r.Residuals is { ValueKind: JsonValueKind.Object } residuals)
            {
                inv.Output.Line("Residuals: " + Markup.Escape(residuals.GetRawText()));
            }
            foreach (var w in result.Warnings ?? [])
            {
                inv.Output.Warn(w);
            }
            return ExitCodes.Ok;
        });
    }

    internal static string Limits(MeasuredValue m) => (m.LowerLimit, m.UpperLimit) switch
    {
        (null, null) => "",
        ({ } lo, null) => "≥ " + Format.Number(lo),
        (null, { } hi) => "≤ " + Format.Number(hi),
        ({ } lo, { } hi) => Format.Number(lo) + " … " + Format.Number(hi),
    };
}
