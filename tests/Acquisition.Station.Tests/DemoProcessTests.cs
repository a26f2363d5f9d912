using Acquisition.Core.Storage;
using Acquisition.Packaging;

namespace Acquisition.Station.Tests;

/// <summary>The built binary in --demo mode (what `./station demo` runs): one full capture on the simulator.</summary>
// One collection with the SIGTERM tests: the demo's capture loads both cores for two minutes, which must not eat the
// five seconds those tests give the station to stop.
[Collection(StationProcessCollection.Name)]
public sealed class DemoProcessTests
{
    // A failure guard only: the capture runs on the simulator's virtual clock and takes about two minutes of wall
    // time on a loaded 2-core machine.
    private static readonly TimeSpan DemoGuard = TimeSpan.FromMinutes(8);

    [Fact]
    public async Task Demo_mode_captures_the_simulated_casing_into_a_package_that_verifies_and_exits_cleanly()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json"), "--demo"],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = data,
                // No bench socket: tests run in parallel and need nothing but the capture.
                ["ACQ_Simulator__BenchControlSocket"] = "false",
                // Any free port for the technician page: other stations may hold 8443 on this machine.
                ["ACQ_Web__Port"] = "0",
            });
        var exit = await station.WaitForExitAsync(DemoGuard);

        var output = station.StandardOutput;
        Assert.True(exit == 0, $"exit {exit}\n{output}\n{station.StandardError}");
        var packages = Directory.GetDirectories(Path.Combine(data, "packages"));
        var package = Assert.Single(packages);
        // The demo goes through the real button path (the simulated GPIO capture button), and says so.
        Assert.Contains("Demo: pressing the simulated capture button...", output);
        Assert.Contains("package: " + package, output);
        Assert.Contains(": Complete", output);
        Assert.Contains("BreechFace: passed", output);
        Assert.Contains("physical floor", output);

        var keys = new StationKeyStore(new DataDirectory(data), TimeProvider.System);
        var verification = await PackageVerifier.VerifyAsync(package, keys.TrustedKeyIds(), CancellationToken.None);
        Assert.True(verification.IsValid, verification.ToString());
        Assert.True(File.Exists(Path.Combine(package, "regions", "BreechFace", "height.x3p")));
        Assert.True(output.IndexOf("package verifies", StringComparison.Ordinal) < output.IndexOf("Safe state reached", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_mode_without_a_camera_exits_with_a_failure_that_says_why()
    {
        using var temp = new TempDirectory();
        using var station = StationProcess.Start(
            ["--config", RepositoryPaths.FirmwareConfig("station.sim.json"), "--demo"],
            new Dictionary<string, string>
            {
                ["ACQ_Station__DataDirectory"] = temp.Combine("data"),
                ["ACQ_Station__Hardware"] = "fake",
            });
        var exit = await station.WaitForExitAsync(StationProcess.Guard);

        Assert.Equal(1, exit);
        Assert.Contains("Demo capture FAILED: no camera", station.StandardError);
    }
}
