namespace Acquisition.Uplink.Tests;

/// <summary>
/// Which byte ranges of each blob have gone on the wire so far; <see cref="Record"/> answers how many bytes of a new
/// chunk had been sent before (re-sent bytes).
/// </summary>
public sealed class ResendLedger
{
    private readonly Dictionary<string, List<(long Start, long End)>> _sent = new(StringComparer.Ordinal);

    public long TotalSent { get; private set; }

    public long TotalResent { get; private set; }

    /// <summary>Adds [offset, offset+length) of <paramref name="digest"/>; returns the bytes of it already sent.</summary>
    public long Record(string digest, long offset, long length)
    {
        if (!_sent.TryGetValue(digest, out var ranges))
        {
            _sent[digest] = ranges = [];
        }
        var start = offset;
        var end = offset + length;
        long overlap = 0;
        foreach (var (s, e) in ranges)
        {
            overlap += Math.Max(0, Math.Min(e, end) - Math.Max(s, start));
        }
        // Ranges are kept disjoint by merging every range that touches the new one into it.
        var merged = (Start: start, End: end);
        ranges.RemoveAll(r =>
        {
            if (r.End < merged.Start || r.Start > merged.End)
            {
                return false;
            }
            merged = (Math.Min(r.Start, merged.Start), Math.Max(r.End, merged.End));
            return true;
        });
        ranges.Add(merged);
        TotalSent += length;
        TotalResent += overlap;
        return overlap;
    }
}
