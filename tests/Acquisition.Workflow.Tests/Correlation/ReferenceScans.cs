namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>
/// The reference breech-face scans: ../shared/data/x3p/ beside the repository when present, else the attributed
/// copies in tests/Acquisition.Imaging.Tests/X3pFixtures/ (Fadul et al. 2011 via the cartridgeCaseScans data set by
/// J. Zemmels, S. VanderPlas, H. Hofmann; CC BY 4.0).
/// </summary>
internal static class ReferenceScans
{
    public static string Path(string name)
    {
        var root = new DirectoryInfo(TestPaths.FirmwareConfig).Parent!.FullName;
        var shared = System.IO.Path.Combine(root, "..", "shared", "data", "x3p", name);
        return File.Exists(shared) ? shared : System.IO.Path.Combine(root, "tests", "Acquisition.Imaging.Tests", "X3pFixtures", name);
    }
}
