namespace Acquisition.Station.Storage;

/// <summary>Keys added, removed and changed between two configuration snapshots.</summary>
public sealed record ConfigurationDiff(
    IReadOnlyDictionary<string, string> Added,
    IReadOnlyDictionary<string, string> Removed,
    IReadOnlyDictionary<string, ConfigurationValueChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;
}
