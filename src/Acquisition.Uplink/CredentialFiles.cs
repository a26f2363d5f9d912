namespace Acquisition.Uplink;

/// <summary>Reads secrets from files that only their owner can read; the secret itself is never put in a message.</summary>
public static class CredentialFiles
{
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Throws when the file is missing or accessible to group or others.</summary>
    public static void ThrowIfNotPrivate(string path, string what)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The {what} file '{path}' does not exist.");
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & GroupOrOther) != 0)
        {
            throw new InvalidOperationException($"The {what} file '{path}' is readable by group or others; run 'chmod 600 {path}'. Secrets must be private to the station user.");
        }
    }

    /// <summary>The first line of a private file, trimmed.</summary>
    public static string ReadSecret(string path, string what)
    {
        ThrowIfNotPrivate(path, what);
        var line = File.ReadLines(path).FirstOrDefault()?.Trim();
        if (string.IsNullOrEmpty(line))
        {
            throw new InvalidOperationException($"The {what} file '{path}' is empty.");
        }
        return line;
    }

    /// <summary>"user:password" from a private file.</summary>
    public static (string User, string Password) ReadBasic(string path)
    {
        var line = ReadSecret(path, "basic credentials");
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new InvalidOperationException($"The basic credentials file '{path}' must hold one line 'user:password'.");
        }
        return (line[..colon], line[(colon + 1)..]);
    }
}
