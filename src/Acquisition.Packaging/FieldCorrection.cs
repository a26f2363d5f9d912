namespace Acquisition.Packaging;

/// <summary>One corrected case field of a correction supplement.</summary>
/// <param name="Field">The capture.json case field name, one of <see cref="CorrectableCaseFields.All"/>.</param>
/// <param name="OldValue">The value in effect before this correction (the original's, or an earlier correction's); null when unset.</param>
/// <param name="NewValue">The corrected value; null clears an optional field.</param>
public sealed record FieldCorrection(string Field, string? OldValue, string? NewValue);
