namespace Acquisition.Core.Control;

/// <summary>One corrected case field: its value before the correction (the original's, or an earlier correction's) and after.</summary>
public sealed record CorrectionFieldChange(string Field, string? OldValue, string? NewValue);
