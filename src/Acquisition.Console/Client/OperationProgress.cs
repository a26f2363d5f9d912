namespace Acquisition.ServiceConsole.Client;

/// <summary>A progress event of a long station operation: <paramref name="Fraction"/> 0–1 when known.</summary>
internal sealed record OperationProgress(double? Fraction, string? Message);
