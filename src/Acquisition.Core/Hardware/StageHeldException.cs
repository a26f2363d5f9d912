namespace Acquisition.Core.Hardware;

/// <summary>The stage stayed held (Door or Hold state) after a cycle start; the message says what to do.</summary>
public sealed class StageHeldException(string message) : InvalidOperationException(message);
