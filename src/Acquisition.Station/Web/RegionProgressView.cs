namespace Acquisition.Station.Web;

/// <summary>One region of the running capture: "stacking" while its stack runs, "done" after, with the lightings taken.</summary>
public sealed record RegionProgressView(string Region, string State, int Attempt, IReadOnlyList<string> Lightings);
