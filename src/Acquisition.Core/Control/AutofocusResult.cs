namespace Acquisition.Core.Control;

/// <summary>The outcome of an autofocus sweep; the stage is left at <paramref name="BestZMicrometres"/> when a peak was found.</summary>
/// <param name="Window">The part of every frame the focus was scored over.</param>
public sealed record AutofocusResult(bool PeakFound, double? BestZMicrometres, IReadOnlyList<FocusSample> Curve, string? Message = null, ScoredWindow? Window = null);
