using System.Xml;
using System.Xml.Schema;

namespace Acquisition.Imaging.Tests;

/// <summary>
/// Finds the shared reference files: ../shared/ beside the repository when present, else the attributed copies in
/// X3pFixtures/, so the tests run stand-alone from a fresh clone.
/// </summary>
internal static class X3pTestFiles
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Fadul(string name) => Pick(Path.Combine("data", "x3p", name), name);

    public static string Schema(string name) => Pick(Path.Combine("schemas", name), name);

    /// <summary>Validates <paramref name="xml"/> against one schema; returns every error (empty when valid).</summary>
    public static List<string> Validate(byte[] xml, string schemaFile)
    {
        var set = new XmlSchemaSet();
        using (var reader = XmlReader.Create(Schema(schemaFile)))
        {
            set.Add(null, reader);
        }
        set.Compile();
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = set };
        settings.ValidationFlags |= XmlSchemaValidationFlags.ReportValidationWarnings;
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity}: {e.Message} (line {e.Exception?.LineNumber})");
        using var ms = new MemoryStream(xml);
        using var validating = XmlReader.Create(ms, settings);
        while (validating.Read())
        {
        }
        return errors;
    }

    private static string Pick(string sharedRelative, string fixtureName)
    {
        var shared = Path.Combine(RepositoryRoot, "..", "shared", sharedRelative);
        if (File.Exists(shared))
        {
            return shared;
        }
        return Path.Combine(RepositoryRoot, "tests", "Acquisition.Imaging.Tests", "X3pFixtures", fixtureName);
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Acquisition.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("Acquisition.sln not found above " + AppContext.BaseDirectory);
    }
}
