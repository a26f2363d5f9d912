using Acquisition.Core.Hardware;
using Acquisition.Core.Storage;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Processing;

namespace Acquisition.Station.Service.Diagnostics;

/// <summary>What the self-test exercises. The camera is null on a station composed without one (the fake profile).</summary>
public sealed record SelfTestDevices(
    IStage Stage,
    IRingLight Light,
    IOperatorPanel Panel,
    ICamera? Camera,
    IFocusMeasure Focus,
    DataDirectory Data,
    DurableFileWriter Writer,
    IDiskSpaceProbe Disk,
    IClockSyncProbe ClockSync,
    TimeProvider DeviceClock);
