namespace Acquisition.Uplink.Tests;

/// <summary>The simulated power went off: every file operation from now on fails.</summary>
public sealed class PowerCutException() : IOException("simulated power cut");
