using System.Text.RegularExpressions;

namespace Acquisition.Packaging;

/// <summary>Validation of capture ids and package-relative paths, shared by builder and verifier.</summary>
public static partial class PackagePaths
{
    [GeneratedRegex("^[0-9A-HJKMNP-TV-Z]{26}$", RegexOptions.CultureInvariant)]
    private static partial Regex UlidPattern();

    public static bool IsCaptureId(string? value) => value is not null && UlidPattern().IsMatch(value);

    public static void ThrowIfNotCaptureId(string captureId, string paramName)
    {
        if (!IsCaptureId(captureId))
        {
            throw new ArgumentException($"'{captureId}' is not a capture id: expected a ULID of 26 uppercase Crockford base32 characters.", paramName);
        }
    }

    /// <summary>Throws unless the path is relative, '/'-separated, and cannot escape the package directory.</summary>
    public static void ThrowIfBadRelativePath(string relativePath, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(relativePath, paramName);
        if (relativePath.Contains('\\') || relativePath.StartsWith('/') || relativePath.EndsWith('/') || relativePath.Contains('\0'))
        {
            throw new ArgumentException($"Package path '{relativePath}' must be relative with '/' separators.", paramName);
        }
        foreach (var segment in relativePath.Split('/'))
        {
            if (segment.Length == 0 || segment == "." || segment == "..")
            {
                throw new ArgumentException($"Package path '{relativePath}' has an empty, '.' or '..' segment.", paramName);
            }
        }
    }

    /// <summary>Package-relative '/'-separated path of a file under <paramref name="packageRoot"/>.</summary>
    public static string Relative(string packageRoot, string fullPath) =>
        Path.GetRelativePath(packageRoot, fullPath).Replace(Path.DirectorySeparatorChar, '/');
}
