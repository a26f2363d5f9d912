namespace Acquisition.HardwareSim.Grbl;

/// <summary>GRBL 1.1's status (error:N) and alarm (ALARM:N) numbers, as its interface documentation lists them.</summary>
public static class GrblCodes
{
    public const int Ok = 0;
    public const int ExpectedCommandLetter = 1;
    public const int BadNumberFormat = 2;
    public const int InvalidStatement = 3;
    public const int NegativeValue = 4;
    public const int SettingDisabled = 5;
    public const int SettingStepPulseMin = 6;
    public const int IdleError = 8;
    public const int SystemGcLock = 9;
    public const int SoftLimitError = 10;
    public const int Overflow = 11;
    public const int CheckDoor = 13;
    public const int TravelExceeded = 15;
    public const int InvalidJogCommand = 16;
    public const int UnsupportedCommand = 20;
    public const int ModalGroupViolation = 21;
    public const int UndefinedFeedRate = 22;
    public const int CommandValueNotInteger = 23;
    public const int AxisCommandConflict = 24;
    public const int WordRepeated = 25;
    public const int NoAxisWords = 26;
    public const int ValueWordMissing = 28;
    public const int UnsupportedCoordinateSystem = 29;
    public const int G53InvalidMotionMode = 30;
    public const int AxisWordsExist = 31;
    public const int UnusedWords = 36;

    public const int AlarmHardLimit = 1;
    public const int AlarmSoftLimit = 2;
    public const int AlarmAbortCycle = 3;
    public const int AlarmHomingFailReset = 6;
    public const int AlarmHomingFailDoor = 7;
    public const int AlarmHomingFailPullOff = 8;
    public const int AlarmHomingFailApproach = 9;
}
