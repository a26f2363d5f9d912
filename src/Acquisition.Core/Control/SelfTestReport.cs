namespace Acquisition.Core.Control;

/// <summary>POST /selftest: every device exercised, pass/fail per item.</summary>
public sealed record SelfTestReport(bool Passed, IReadOnlyList<SelfTestItem> Items);
