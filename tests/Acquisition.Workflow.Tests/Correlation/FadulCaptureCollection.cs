namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>
/// The correlation and depth-accuracy captures: minutes of full-sensor rendering each. They run alone, after the
/// other collections, so that they neither starve the other end-to-end tests (whose guards are minutes, not tens of
/// minutes) nor compete with each other for the two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FadulCaptureCollection : ICollectionFixture<FadulCaptures>
{
    public const string Name = "Breech-face captures at 2.5 µm/px";
}
