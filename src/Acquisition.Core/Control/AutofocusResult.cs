namespace Acquisition.Core.Control;

/// <summary>The outcome of an autofocus sweep; the stage is left at <paramref name="BestZMicrometres"/> when a peak was found.</summary>
/// <param name="Message">Why no peak was found; with a peak, a note for the engineer (e.g. that the view holds several surfaces).</param>
/// <param name="Window">The part of every frame the focus was scored over.</param>
/// <param name="Surfaces">The surfaces in focus at their own heights, the one covering most of the window first.</param>
public sealed record AutofocusResult(bool PeakFound, double? BestZMicrometres, IReadOnlyList<FocusSample> Curve, string? Message = null, ScoredWindow? Window = null, IReadOnlyList<FocusSurface>? Surfaces = null);
