namespace Acquisition.Workflow.Capture.Record;

/// <summary>Which recipe a capture used, exactly (the file's SHA-256).</summary>
public sealed record RecipeReference(string Name, int Version, string File, string Sha256);
