namespace Acquisition.Core.Hardware;

/// <summary>
/// BCM GPIO numbers of the operator panel and safety inputs. Bound from configuration ("Station:Pins"); the
/// simulator's GPIO driver carries the same map so the real drivers run unchanged against it.
/// </summary>
public sealed class PinMap
{
    public int CaptureButton { get; set; } = 17;
    public int DoorInterlock { get; set; } = 27;
    public int CasingPresent { get; set; } = 22;
    public int LedReady { get; set; } = 5;
    public int LedBusy { get; set; } = 6;
    public int LedFault { get; set; } = 13;
    public int MotorEnable { get; set; } = 26;

    /// <summary>True: the button pulls the pin low (pull-up input), as most panel buttons are wired.</summary>
    public bool ButtonActiveLow { get; set; } = true;

    /// <summary>True: a closed door reads low.</summary>
    public bool DoorClosedLow { get; set; } = true;

    public bool HasCasingSensor { get; set; } = true;

    public IReadOnlyDictionary<string, int> AllPins() => new Dictionary<string, int>
    {
        [nameof(CaptureButton)] = CaptureButton,
        [nameof(DoorInterlock)] = DoorInterlock,
        [nameof(CasingPresent)] = CasingPresent,
        [nameof(LedReady)] = LedReady,
        [nameof(LedBusy)] = LedBusy,
        [nameof(LedFault)] = LedFault,
        [nameof(MotorEnable)] = MotorEnable,
    };
}
