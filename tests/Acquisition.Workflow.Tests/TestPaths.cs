namespace Acquisition.Workflow.Tests;

internal static class TestPaths
{
    /// <summary>The repository's firmware-config directory, found by walking up from the test binaries.</summary>
    public static string FirmwareConfig
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "firmware-config", "recipes")))
            {
                dir = dir.Parent;
            }
            return dir is null
                ? throw new DirectoryNotFoundException("firmware-config/recipes not found above " + AppContext.BaseDirectory)
                : Path.Combine(dir.FullName, "firmware-config");
        }
    }
}
