using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim.Tests.Fixtures;

/// <summary>A bench whose stage position and light the test sets directly (optionally as functions of time).</summary>
internal sealed class FakeBench : IBenchState
{
    private readonly ManualClock _clock = new();

    public TimeProvider Clock => _clock;

    public ManualClock ManualClock => _clock;

    public Func<DateTimeOffset, StagePosition> Position { get; set; } = _ => StagePosition.Origin;

    public Func<DateTimeOffset, LightingState> Lighting { get; set; } = _ => LightingState.Segmented(8, [0, 1, 2, 3, 4, 5, 6, 7], 1.0);

    public void Place(double x, double y, double z) => Position = _ => StagePosition.FromMicrometres(x, y, z);

    public void Light(LightingState lighting) => Lighting = _ => lighting;

    public StagePosition TruePositionAt(DateTimeOffset at) => Position(at);

    public LightingState LightingAt(DateTimeOffset at) => Lighting(at);
}
