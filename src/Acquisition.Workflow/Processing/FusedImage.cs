namespace Acquisition.Workflow.Processing;

/// <summary>An all-in-focus image for one lighting: 16-bit grey, packed rows.</summary>
public sealed record FusedImage(string Lighting, int Width, int Height, ushort[] Pixels);
