namespace Acquisition.Station.Tests;

/// <summary>Process tests whose timing limits must not overlap the demo's long, CPU-heavy capture.</summary>
[CollectionDefinition(Name)]
public sealed class StationProcessCollection
{
    public const string Name = "station processes";
}
