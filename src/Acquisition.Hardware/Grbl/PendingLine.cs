namespace Acquisition.Hardware.Grbl;

/// <summary>A line sent to GRBL and not yet acknowledged, with the feedback lines that arrived before its ok.</summary>
internal sealed class PendingLine
{
    public PendingLine(string text)
    {
        Text = text;
        Bytes = text.Length + 1;
    }

    public string Text { get; }

    public int Bytes { get; }

    public List<string> Lines { get; } = [];

    public TaskCompletionSource<GrblLine> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
