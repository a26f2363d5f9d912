namespace Acquisition.Uplink.Tests;

/// <summary>
/// Entry point of the test assembly when it is run with <c>dotnet Acquisition.Uplink.Tests.dll</c>: with
/// ACQ_UPLINK_HARNESS=1 it is the crash-test child (a station uplink that gets killed); otherwise it does nothing,
/// because the test runner loads the assembly without calling Main.
/// </summary>
public static class Program
{
    public static async Task<int> Main() =>
        Environment.GetEnvironmentVariable(CrashHarness.HarnessVariable) == "1" ? await CrashHarness.RunChildAsync() : 0;
}
