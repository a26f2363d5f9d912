namespace Acquisition.WebUi.Tests;

/// <summary>All page tests share one station and one browser: starting Chromium is the slow part.</summary>
[CollectionDefinition(Name)]
public sealed class StationCollection : ICollectionFixture<StationFixture>
{
    public const string Name = "station";
}
