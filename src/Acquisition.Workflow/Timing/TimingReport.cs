namespace Acquisition.Workflow.Timing;

/// <summary>
/// How long the capture took against the physical floor: the moves from the motion profiles, the settles, the
/// exposures and, for a free-running camera, the waits for the next frame start after each settle.
/// </summary>
public sealed record TimingReport(
    TimeSpan Total,
    TimeSpan Floor,
    TimeSpan Moves,
    TimeSpan Settles,
    TimeSpan Exposures,
    TimeSpan FrameStartWaits,
    int MoveCount,
    int FrameCount)
{
    /// <summary>Total over floor; 1.0 would mean no time lost in software.</summary>
    public double Ratio => Floor > TimeSpan.Zero ? Total / Floor : double.NaN;

    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"total {Total.TotalSeconds:0.00} s, physical floor {Floor.TotalSeconds:0.00} s (moves {Moves.TotalSeconds:0.00} s in {MoveCount}, settles {Settles.TotalSeconds:0.00} s, exposures {Exposures.TotalSeconds:0.00} s in {FrameCount} frames, frame-start waits {FrameStartWaits.TotalSeconds:0.00} s), ratio {Ratio:0.00}");
}
