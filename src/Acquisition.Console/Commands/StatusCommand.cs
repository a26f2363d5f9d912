using System.CommandLine;
using Acquisition.Core.Control;
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
        var command = new Command("status", "Show the station's state, stage position (µm), door, lights (0–1), camera, the validity of each calibration with expiry warnings, and the outbox backlog.")
        {
            check,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var status = await client.GetStatusAsync(ct).ConfigureAwait(false);
            // Expiry is the station's verdict: judge it by the station's clock; a station that does not send one is
            // assumed to agree with this machine's (both run NTP).
            var now = status.At ?? DateTimeOffset.UtcNow;
            var verdicts = (status.Calibrations ?? []).Select(c => (c, Status: CalibrationExpiry.Judge(c, now))).ToList();
            var unhealthy = string.Equals(status.State, "Fault", StringComparison.OrdinalIgnoreCase)
                || verdicts.Any(v => v.Status is CalibrationValidityStatus.Expired or CalibrationValidityStatus.Missing);
            if (inv.Json)
            {
                inv.Output.WriteJson(status);
            }
            else
            {
                Render(inv.Output, status, now, verdicts);
            }
            return inv.Get(check) && unhealthy ? ExitCodes.CheckFailed : ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(CommandOutput output, StationStatusReport s, DateTimeOffset now, List<(CalibrationValidity c, CalibrationValidityStatus Status)> verdicts)
    {
        var stateColour = s.State.ToLowerInvariant() switch
        {
            "ready" => "green",
            "fault" => "red",
            _ => "yellow",
        };
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow("[bold]Station[/]", Markup.Escape($"{s.StationId}  (software {s.SoftwareVersion}, station clock {Format.Utc(now)}"
            + (s.UptimeSeconds is { } up ? $", up {Format.Duration(TimeSpan.FromSeconds(up))}" : "") + ")"));
        grid.AddRow("[bold]State[/]", $"[{stateColour}]{Markup.Escape(s.State)}[/]" + Markup.Escape($" since {Format.Utc(s.Since)}" + (string.IsNullOrEmpty(s.Reason) ? "" : ": " + s.Reason)));
        var st = s.Stage;
        grid.AddRow("[bold]Stage[/]", Markup.Escape($"{st.State}, {(st.Homed ? "homed" : "NOT homed")}, {Format.Position(st)}"
            + (st.LimitPins.Length > 0 ? $", inputs active: {st.LimitPins}" : "")));
        if (s.Panel is { } p)
        {
            grid.AddRow("[bold]Panel[/]", (p.Door == "open" ? "[yellow]door open[/]" : "door " + Markup.Escape(p.Door))
                + Markup.Escape($", casing {(p.CasingPresent switch { true => "present", false => "absent", null => "not sensed" })}, motors {(p.MotorsEnabled ? "on" : "off")}, LEDs {p.Indicator}"));
        }
        grid.AddRow("[bold]Lights[/]", Markup.Escape(s.Lights.AllOff ? "all off" : "ring [" + string.Join(", ", s.Lights.Segments.Select(Format.Level)) + "], coaxial " + Format.Level(s.Lights.Coaxial)));
        if (s.Camera is { } cam)
        {
            grid.AddRow("[bold]Camera[/]", cam.Connected
                ? Markup.Escape($"{cam.Model}, {cam.WidthPixels}×{cam.HeightPixels} {cam.PixelFormat}, exposure {Format.Number(cam.ExposureMicroseconds)} µs, gain {Format.Number(cam.Gain)}"
                    + (cam.SensorTemperatureCelsius is { } t ? $", sensor {Format.Number(t)} °C" : ""))
                : "[red]not connected[/]");
        }
        if (s.Outbox is { } o)
        {
            grid.AddRow("[bold]Outbox[/]", Markup.Escape($"{o.Pending} pending, {o.Uploading} uploading, {o.Delivered} delivered, {o.Rejected} rejected, {o.Held} on hold"
                + (o.OldestPendingAt is { } oldest ? $"; oldest waiting since {Format.Utc(oldest)} ({Format.Duration(now - oldest)})" : "")));
        }
        if (s.Case is { } c)
        {
            grid.AddRow("[bold]Case[/]", Markup.Escape($"{c.Agency} {c.CaseNumber} exhibit {c.Exhibit} item {c.Item}, {c.Calibre}, operator {c.OperatorId}"));
        }
        output.Write(grid);

        if (s.Calibrations is null)
        {
            output.Warn("this station does not report calibration validity (older station software): check it before capturing.");
            return;
        }
        var table = new Table().Title("Calibrations").AddColumns("Kind", "Record", "Performed (UTC)", "By", "Valid until (UTC)", "Status");
        foreach (var (cal, status) in verdicts)
        {
            var statusText = status switch
            {
                CalibrationValidityStatus.Valid => "[green]valid[/]",
                CalibrationValidityStatus.Expiring => $"[yellow]expires in {Format.Duration(cal.ValidUntil!.Value - now)}[/]",
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
            if (CalibrationExpiry.Warning(cal, now) is { } warning)
            {
                output.Warn(warning);
            }
        }
    }
}
