using Acquisition.Core.Control;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Local;
using Spectre.Console;

namespace Acquisition.ServiceConsole.Commands;

/// <summary>The body of `acq enrol` and `acq key rotate`: through the station, or locally with --data.</summary>
internal static class IdentityCommands
{
    public static async Task<int> RunAsync(Invocation inv, IdentityOptions options, bool rotate, CancellationToken ct)
    {
        var outDir = inv.Get(options.Out);
        var force = inv.Get(options.Force);
        if (outDir is not null)
        {
            // Check before the key changes, so a refused export never leaves a rotated key behind unexported.
            foreach (var name in new[] { "station.pub.pem", "station.csr.pem" })
            {
                if (File.Exists(Path.Combine(outDir.FullName, name)) && !force)
                {
                    throw CliException.LocalFile($"{Path.Combine(outDir.FullName, name)} exists. Choose another --out or add --force.");
                }
            }
        }
        StationIdentity identity;
        if (inv.Get(options.Data) is { } dataDir)
        {
            if (await StationProbe.IsListeningAsync(inv.SocketPath, ct).ConfigureAwait(false))
            {
                throw new CliException(ExitCodes.Refused,
                    $"The station is running (it answers on {inv.SocketPath}); it is the only writer of the audit log. Run this without --data to do it through the station, or stop the station first.");
            }
            var subject = inv.Get(options.Subject) ?? "CN=" + Environment.MachineName;
            identity = await LocalStationIdentity.RunAsync(dataDir, rotate, subject, Environment.UserName, ct).ConfigureAwait(false);
        }
        else
        {
            var subject = inv.Get(options.Subject);
            if (subject is not null)
            {
                LocalStationIdentity.ParseSubject(subject);
            }
            using var client = inv.CreateClient();
            var request = new EnrolmentRequest(subject);
            identity = rotate
                ? await client.RotateKeyAsync(request, ct).ConfigureAwait(false)
                : await client.EnrolAsync(request, ct).ConfigureAwait(false);
        }
        string? pubPath = null, csrPath = null;
        if (outDir is not null)
        {
            Directory.CreateDirectory(outDir.FullName);
            pubPath = Path.Combine(outDir.FullName, "station.pub.pem");
            await WriteAsync(pubPath, identity.PublicKeyPem, force, ct).ConfigureAwait(false);
            if (identity.CsrPem is { } csr)
            {
                csrPath = Path.Combine(outDir.FullName, "station.csr.pem");
                await WriteAsync(csrPath, csr, force, ct).ConfigureAwait(false);
            }
        }
        if (inv.Json)
        {
            inv.Output.WriteJson(new
            {
                identity.KeyId,
                identity.PublicKeyPem,
                identity.Created,
                identity.CsrPem,
                identity.PreviousKeyIds,
                publicKeyFile = pubPath,
                csrFile = csrPath,
            });
            return ExitCodes.Ok;
        }
        var verb = rotate ? "New signing key" : identity.Created ? "Signing key created" : "Existing signing key";
        inv.Output.Line($"[bold]{verb}[/]. Fingerprint (key id): [bold]{Markup.Escape(identity.KeyId)}[/]");
        inv.Output.Write(new Text(identity.PublicKeyPem.TrimEnd() + "\n"));
        if (identity.PreviousKeyIds.Count > 0)
        {
            inv.Output.Line("Retired keys kept in the key history (old packages still verify):");
            foreach (var id in identity.PreviousKeyIds)
            {
                inv.Output.Line("  " + Markup.Escape(id));
            }
        }
        if (pubPath is not null)
        {
            inv.Output.Line("Wrote " + Markup.Escape(pubPath) + (csrPath is null ? "" : " and " + Markup.Escape(csrPath)) + ". Send the CSR to the lab's PKI; compare the fingerprint by phone or in person.");
        }
        else if (identity.CsrPem is { } csrText)
        {
            inv.Output.Line("Certificate signing request (save it with --out <dir>):");
            inv.Output.Write(new Text(csrText.TrimEnd() + "\n"));
        }
        return ExitCodes.Ok;
    }

    private static async Task WriteAsync(string path, string content, bool force, CancellationToken ct)
    {
        await using var stream = new FileStream(path, force ? FileMode.Create : FileMode.CreateNew, FileAccess.Write);
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(content.EndsWith('\n') ? content : content + "\n"), ct).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
    }
}
