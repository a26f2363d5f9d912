using Acquisition.Core.Hardware;

namespace Acquisition.Hardware.Grbl;

/// <summary>GRBL raised <c>ALARM:N</c>; the message carries GRBL's documented meaning and what the station was doing.</summary>
public sealed class GrblAlarmException : HardwareFaultException
{
    public GrblAlarmException(int code, string detail)
        : base($"ALARM:{code} {detail}", GrblCodes.AlarmLosesPosition(code))
    {
        Code = code;
    }

    public int Code { get; }
}
