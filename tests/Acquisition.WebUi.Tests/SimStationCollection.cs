namespace Acquisition.WebUi.Tests;

/// <summary>The page tests that capture: one simulator station, one browser; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class SimStationCollection : ICollectionFixture<SimStationFixture>
{
    public const string Name = "sim-station";
}
