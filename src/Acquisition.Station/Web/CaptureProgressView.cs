namespace Acquisition.Station.Web;

/// <summary>The running capture as the page shows it: phase "idle", "running", "done", "aborted" or "failed".</summary>
public sealed record CaptureProgressView(
    string Phase,
    string? CaptureId,
    string? Region,
    string? Lighting,
    double Fraction,
    TimeSpan? Remaining,
    string? Reason);
