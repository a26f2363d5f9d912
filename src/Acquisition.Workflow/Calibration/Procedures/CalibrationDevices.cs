using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Calibration.Procedures;

/// <summary>
/// The devices a calibration procedure drives, and the clock the camera's frames are timed on (the simulator's
/// virtual clock in the sim profile), so "a frame taken after the stage stopped" means the same to both.
/// </summary>
public sealed record CalibrationDevices(IStage Stage, ICamera Camera, IRingLight Lights, TimeProvider DeviceClock);
