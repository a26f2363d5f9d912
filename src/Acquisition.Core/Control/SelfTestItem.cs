namespace Acquisition.Core.Control;

/// <summary>One self-test check with the value it measured and what was expected (both in <paramref name="Unit"/>).</summary>
public sealed record SelfTestItem(string Device, string Check, bool Passed, string? Measured, string? Expected, string? Unit, string? Message = null);
