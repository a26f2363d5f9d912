namespace Acquisition.Hardware.Grbl;

/// <summary>GRBL rejected a line with <c>error:N</c>; the message carries GRBL's documented meaning and the line.</summary>
public sealed class GrblReplyException : Acquisition.Core.Hardware.HardwareFaultException
{
    public GrblReplyException(int code, string line, string? context = null)
        : base($"error:{code} {GrblCodes.DescribeError(code)} (line '{line}'{(context is null ? "" : "; " + context)})")
    {
        Code = code;
        Line = line;
    }

    public int Code { get; }

    public string Line { get; }
}
