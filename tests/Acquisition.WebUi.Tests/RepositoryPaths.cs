namespace Acquisition.WebUi.Tests;

internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string FirmwareConfig(string name) => Path.Combine(Root, "firmware-config", name);

    public static string Resource(string name) => Path.Combine(Root, "src", "Acquisition.Station", "Resources", name);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Acquisition.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Cannot find Acquisition.sln above " + AppContext.BaseDirectory);
    }
}
