using System.CommandLine;
using System.Globalization;
using Acquisition.Core.Domain;
using Acquisition.ServiceConsole.Cli;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>acq case set|show: the case the next capture belongs to (until the technician page exists).</summary>
internal static class CaseCommand
{
    public static Command Create(GlobalOptions globals)
    {
        return new Command("case", "Show or set the current case context that the next capture is filed under.")
        {
            Show(globals),
            Set(globals),
        };
    }

    private static Command Show(GlobalOptions globals)
    {
        var command = new Command("show", "Show the current case context.");
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var current = await client.GetCaseAsync(ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(current);
            }
            else if (current is null)
            {
                inv.Output.Line("No case is set. Set one with 'acq case set'.");
            }
            else
            {
                Render(inv.Output, current);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Set(GlobalOptions globals)
    {
        var agency = new Option<string?>("--agency") { Description = "Originating agency identifier (ORI), e.g. TX2270000.", HelpName = "ORI" };
        var caseNumber = new Option<string?>("--case-number") { Description = "The agency's case number.", HelpName = "number" };
        var exhibit = new Option<string?>("--exhibit") { Description = "Exhibit number.", HelpName = "number" };
        var item = new Option<string?>("--item") { Description = "Item number within the exhibit.", HelpName = "number" };
        var calibre = new Option<string?>("--calibre") { Description = "Calibre as in the calibre table, e.g. \"9mm Luger\" (the station checks it).", HelpName = "name" };
        var operatorId = new Option<string?>("--operator") { Description = "Operator id recorded in the capture.", HelpName = "id" };
        var recoveryDate = new Option<string?>("--recovery-date") { Description = "Date the casing was recovered, yyyy-MM-dd; 'none' clears it.", HelpName = "yyyy-MM-dd" };
        var recoveryLocation = new Option<string?>("--recovery-location") { Description = "Where it was recovered; 'none' clears it.", HelpName = "text" };
        var nearBorder = Flag("--near-border", "IBIN flag: recovered within 80 km of an international border.");
        var customs = Flag("--customs", "IBIN flag: recovered by customs or border officials.");
        var trafficker = Flag("--trafficker", "IBIN flag: from suspected traffickers of contraband.");
        var terrorism = Flag("--terrorism", "IBIN flag: related to terrorism.");
        var foreignResident = Flag("--foreign-resident", "IBIN flag: from a person resident in another country.");
        var replace = new Option<bool>("--replace") { Description = "Start from an empty case instead of changing the current one (then every required field must be given)." };
        var command = new Command("set",
            "Set the case context. Fields not given keep their current value, so 'acq case set --item 2' changes only the item. " +
            "IBIN flags take true/false ('--customs' alone means true); any flag set also routes the capture to the international exchange. Audited.")
        {
            agency, caseNumber, exhibit, item, calibre, operatorId, recoveryDate, recoveryLocation,
            nearBorder, customs, trafficker, terrorism, foreignResident, replace,
        };
        CommandActions.Set(command, globals, async (inv, ct) =>
        {
            using var client = inv.CreateClient();
            var current = inv.Get(replace) ? null : await client.GetCaseAsync(ct).ConfigureAwait(false);
            var flags = current?.SearchProtocol ?? new SearchProtocolFlags();
            flags = new SearchProtocolFlags(
                Pick(inv, nearBorder, flags.RecoveredNearBorder),
                Pick(inv, customs, flags.RecoveredByCustomsOrBorder),
                Pick(inv, trafficker, flags.FromSuspectedTrafficker),
                Pick(inv, terrorism, flags.TerrorismRelated),
                Pick(inv, foreignResident, flags.FromForeignResident));
            var missing = new List<string>();
            string Required(Option<string?> option, string? existing)
            {
                var value = inv.Get(option) ?? existing;
                if (string.IsNullOrWhiteSpace(value))
                {
                    missing.Add(option.Name);
                    return "";
                }
                return value.Trim();
            }
            var date = current?.RecoveryDate;
            if (inv.Get(recoveryDate) is { } d)
            {
                date = string.Equals(d, "none", StringComparison.OrdinalIgnoreCase) ? null
                    : DateOnly.TryParseExact(d, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) ? parsed
                    : throw CliException.Usage($"--recovery-date '{d}' is not a date: write it as yyyy-MM-dd, e.g. 2026-11-20.");
            }
            var location = current?.RecoveryLocation;
            if (inv.Get(recoveryLocation) is { } l)
            {
                location = string.Equals(l, "none", StringComparison.OrdinalIgnoreCase) ? null : l.Trim();
            }
            var context = new CaseContext
            {
                Agency = Required(agency, current?.Agency),
                CaseNumber = Required(caseNumber, current?.CaseNumber),
                Exhibit = Required(exhibit, current?.Exhibit),
                Item = Required(item, current?.Item),
                Calibre = Required(calibre, current?.Calibre),
                OperatorId = Required(operatorId, current?.OperatorId),
                RecoveryDate = date,
                RecoveryLocation = location,
                SearchProtocol = flags,
            };
            if (missing.Count > 0)
            {
                throw CliException.Usage((current is null ? "No case is set yet, so these are required: " : "These fields are empty: ") + string.Join(", ", missing) + ".");
            }
            var stored = await client.SetCaseAsync(context, ct).ConfigureAwait(false);
            if (inv.Json)
            {
                inv.Output.WriteJson(stored);
            }
            else
            {
                inv.Output.Line("Case set.");
                Render(inv.Output, stored);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Option<bool?> Flag(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "true|false",
    };

    private static bool Pick(Invocation inv, Option<bool?> option, bool existing) =>
        inv.WasGiven(option) ? inv.Get(option) ?? true : existing;

    private static void Render(CommandOutput output, CaseContext c)
    {
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        void Row(string name, string? value) => grid.AddRow("[bold]" + name + "[/]", Markup.Escape(value ?? "-"));
        Row("Agency (ORI)", c.Agency);
        Row("Case number", c.CaseNumber);
        Row("Exhibit", c.Exhibit);
        Row("Item", c.Item);
        Row("Calibre", c.Calibre);
        Row("Operator", c.OperatorId);
        Row("Recovered on", c.RecoveryDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Row("Recovered at", c.RecoveryLocation);
        var f = c.SearchProtocol;
        var set = new List<string>();
        if (f.RecoveredNearBorder) { set.Add("near border"); }
        if (f.RecoveredByCustomsOrBorder) { set.Add("customs/border"); }
        if (f.FromSuspectedTrafficker) { set.Add("trafficker"); }
        if (f.TerrorismRelated) { set.Add("terrorism"); }
        if (f.FromForeignResident) { set.Add("foreign resident"); }
        Row("IBIN flags", set.Count == 0 ? "none" : string.Join(", ", set) + " (also sent to the international exchange)");
        output.Write(grid);
    }
}
