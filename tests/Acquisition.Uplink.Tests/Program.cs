namespace Acquisition.Uplink.Tests;

/// <summary>
/// Entry point of the test assembly when it is run with <c>dotnet Acquisition.Uplink.Tests.dll</c>: with
/// ACQ_UPLINK_HARNESS=1 it is the crash-test child (a station uplink that gets killed), with ACQ_UPLINK_HARNESS=trust the
/// system-trust-store child; otherwise it does nothing,
/// because the test runner loads the assembly without calling Main.
/// </summary>
public static class Program
{
    public static async Task<int> Main() => Environment.GetEnvironmentVariable(CrashHarness.HarnessVariable) switch
    {
        "1" => await CrashHarness.RunChildAsync(),
        TrustStoreHarness.Mode => await TrustStoreHarness.RunChildAsync(),
        _ => 0,
    };
}
