using Xunit.Abstractions;
using Xunit.Sdk;

namespace Acquisition.WebUi.Tests;

/// <summary>Runs a class's tests in the order of their method names, for the one class whose last test leaves the station needing service.</summary>
public sealed class MethodNameOrderer : ITestCaseOrderer
{
    public const string TypeName = "Acquisition.WebUi.Tests.MethodNameOrderer";
    public const string AssemblyName = "Acquisition.WebUi.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal);
}
