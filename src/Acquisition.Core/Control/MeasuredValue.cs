namespace Acquisition.Core.Control;

/// <summary>A named measurement with its unit and, when it is checked, its limits and verdict.</summary>
public sealed record MeasuredValue(string Name, double Value, string Unit, double? LowerLimit = null, double? UpperLimit = null, bool? Passed = null);
