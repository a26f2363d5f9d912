using System.CommandLine;
using Acquisition.Core.Control;
using Acquisition.Core.Station;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq status: state, stage, lights, camera, calibration validity, outbox backlog.</summary>
internal static class StatusCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var check = new Option<bool>("--check")
        {
            Description = "Exit 1 when the station is in Fault or any calibration is expired or missing (for monitoring scripts).",
        };
        var command = new Command("status", "Show the station's state, stage position (µm), lights (0–1), camera, the validity of each calibration with expiry warnings, and the outbox backlog.")
        {
            check,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var status = await client.GetStatusAsync(ct).ConfigureAwait(false);
            var verdicts = status.Calibrations.Select(c => (c, Status: CalibrationExpiry.Judge(c, status.At))).ToList();
            var unhealthy = status.State == StationState.Fault
                || verdicts.Any(v => v.Status is CalibrationValidityStatus.Expired or CalibrationValidityStatus.Missing);
            if (inv.Json)
            {
                inv.Output.WriteJson(status);
            }
            else
            {
                Render(inv.Output, status, verdicts);
            }
            return inv.Get(check) && unhealthy ? ExitCodes.CheckFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(CommandOutput output, StationStatusReport s, List<(CalibrationValidity c, CalibrationValidityStatus Status)> verdicts)
    {
        var stateColour = s.State switch
        {
            StationState.Ready => "green",
            StationState.Fault => "red",
            _ => "yellow",
        };
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow("[bold]Station[/]", Markup.Escape($"{s.StationId}  (software {s.SoftwareVersion}, station clock {Format.Utc(s.At)})"));
        grid.AddRow("[bold]State[/]", $"[{stateColour}]{ControlApiJson.WireName(s.State)}[/]" + (s.FaultReason is { } f ? " " + Markup.Escape(f) : ""));
        grid.AddRow("[bold]Stage[/]", Markup.Escape($"{ControlApiJson.WireName(s.Stage.State)}, {(s.Stage.IsHomed ? "homed" : "NOT homed")}, {Format.Position(s.Stage.Position)}"
            + (s.Stage.LimitPins.Length > 0 ? $", inputs active: {s.Stage.LimitPins}" : "")));
        grid.AddRow("[bold]Door[/]", s.DoorOpen switch { true => "[yellow]open[/]", false => "closed", null => "no door switch" });
        grid.AddRow("[bold]Lights[/]", Markup.Escape("ring [" + string.Join(", ", s.Lights.Segments.Select(Format.Level)) + "], coaxial " + Format.Level(s.Lights.Coaxial)));
        var cam = s.Camera;
        grid.AddRow("[bold]Camera[/]", cam.Connected
            ? Markup.Escape($"{cam.Model}, {cam.WidthPixels}×{cam.HeightPixels} {ControlApiJson.WireName(cam.PixelFormat)}, exposure {Format.Number(cam.ExposureMicroseconds)} µs, gain {Format.Number(cam.Gain)}"
                + (cam.SensorTemperatureCelsius is { } t ? $", sensor {Format.Number(t)} °C" : ""))
            : "[red]not connected[/]");
        var o = s.Outbox;
        grid.AddRow("[bold]Outbox[/]", Markup.Escape($"{o.Pending} pending, {o.Uploading} uploading, {o.Delivered} delivered, {o.Rejected} rejected, {o.Held} on hold"
            + (o.OldestPendingAt is { } oldest ? $"; oldest waiting since {Format.Utc(oldest)} ({Format.Duration(s.At - oldest)})" : "")));
        if (s.Case is { } c)
        {
            grid.AddRow("[bold]Case[/]", Markup.Escape($"{c.Agency} {c.CaseNumber} exhibit {c.Exhibit} item {c.Item}, {c.Calibre}, operator {c.OperatorId}"));
        }
        output.Write(grid);

        var table = new Table().Title("Calibrations").AddColumns("Kind", "Record", "Performed (UTC)", "By", "Valid until (UTC)", "Status");
        foreach (var (cal, status) in verdicts)
        {
            var statusText = status switch
            {
                CalibrationValidityStatus.Valid => "[green]valid[/]",
                CalibrationValidityStatus.Expiring => $"[yellow]expires in {Format.Duration(cal.ValidUntil!.Value - s.At)}[/]",
                CalibrationValidityStatus.Expired => "[red]EXPIRED[/]",
                _ => "[red]MISSING[/]",
            };
            table.AddRow(
                Markup.Escape(CalibrationNames.Verb(cal.Kind)),
                Markup.Escape(cal.RecordId ?? "-"),
                Format.Utc(cal.PerformedAt),
                Markup.Escape(cal.PerformedBy ?? "-"),
                Format.Utc(cal.ValidUntil),
                statusText);
        }
        output.Write(table);
        foreach (var (cal, _) in verdicts)
        {
            if (CalibrationExpiry.Warning(cal, s.At) is { } warning)
            {
                output.Warn(warning);
            }
        }
    }
}
