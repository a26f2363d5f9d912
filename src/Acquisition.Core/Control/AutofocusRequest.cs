namespace Acquisition.Core.Control;

/// <summary>POST /autofocus: a sweep around the current Z. Nulls use the recipe's defaults.</summary>
public sealed record AutofocusRequest(double? RangeMicrometres = null, double? StepMicrometres = null);
