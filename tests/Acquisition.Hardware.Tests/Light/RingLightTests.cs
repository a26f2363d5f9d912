using System.Collections.Immutable;
using Acquisition.Core.Hardware;
using Acquisition.Hardware.Light;
using NSubstitute;

namespace Acquisition.Hardware.Tests.Light;

public class RingLightTests
{
    private readonly ILightChannelBank _bank = Substitute.For<ILightChannelBank>();

    public RingLightTests()
    {
        _bank.ChannelCount.Returns(16);
        _bank.PwmPeriod.Returns(TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task Intensities_go_through_each_segments_calibration_to_its_channel()
    {
        var options = new RingLightOptions
        {
            SegmentCount = 2,
            SegmentChannels = [4, 7],
            CoaxialChannel = 9,
            SegmentCalibration = [new IntensityCalibration([(0, 0), (0.5, 0.2), (1, 0.8)])],
        };
        var light = new RingLight(_bank, options);
        await light.SetAsync(new LightingState(ImmutableArray.Create(0.75, 0.5), 0.3), CancellationToken.None);
        _bank.Received().SetDuty(4, Arg.Is<double>(d => Math.Abs(d - 0.5) < 1e-12));
        _bank.Received().SetDuty(7, 0.5);
        _bank.Received().SetDuty(9, Arg.Is<double>(d => Math.Abs(d - 0.3) < 1e-12));
        Assert.Equal(0.75, light.Current.Segments[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(1), light.PwmPeriod);
    }

    [Fact]
    public async Task All_off_is_the_safe_state()
    {
        var light = new RingLight(_bank, new RingLightOptions());
        await light.SetAsync(LightingState.Segmented(8, [0, 1], 1), CancellationToken.None);
        _bank.ClearReceivedCalls();
        await light.AllOffAsync(CancellationToken.None);
        _bank.Received(1).AllOff();
        Assert.True(light.Current.IsOff);
    }

    [Fact]
    public async Task Bad_states_are_refused_before_any_channel_changes()
    {
        var light = new RingLight(_bank, new RingLightOptions());
        _bank.ClearReceivedCalls();
        await Assert.ThrowsAsync<ArgumentException>(() => light.SetAsync(LightingState.AllOff(6), CancellationToken.None));
        var bad = new LightingState(ImmutableArray.Create(0, 0, 0, 1.5, 0, 0, 0, 0), 0);
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => light.SetAsync(bad, CancellationToken.None));
        Assert.Contains("segment 3", ex.Message, StringComparison.Ordinal);
        _bank.DidNotReceiveWithAnyArgs().SetDuty(default, default);
    }

    [Fact]
    public async Task A_failing_driver_leaves_the_light_off_and_says_so()
    {
        var light = new RingLight(_bank, new RingLightOptions());
        _bank.ClearReceivedCalls();
        _bank.When(b => b.SetDuty(2, Arg.Any<double>())).Do(_ => throw new IOException("I2C NACK"));
        var ex = await Assert.ThrowsAsync<HardwareFaultException>(() => light.SetAsync(LightingState.Segmented(8, [2], 1), CancellationToken.None));
        Assert.Contains("switched off", ex.Message, StringComparison.Ordinal);
        Assert.Contains("I2C NACK", ex.Message, StringComparison.Ordinal);
        _bank.Received().AllOff();
        Assert.True(light.Current.IsOff);
    }

    [Fact]
    public void Options_report_every_mapping_problem()
    {
        var errors = new RingLightOptions { SegmentCount = 3, SegmentChannels = [0, 0, 20], CoaxialChannel = 2 }.Validate(16);
        Assert.Contains(errors, e => e.Contains("channel 20 does not exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("channel 0 is used 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Calibration_tables_must_be_dark_at_zero_and_monotonic()
    {
        Assert.Throws<ArgumentException>(() => new IntensityCalibration([(0, 0.1), (1, 1)]));
        Assert.Throws<ArgumentException>(() => new IntensityCalibration([(0, 0), (0.5, 0.6), (1, 0.5)]));
        Assert.Throws<ArgumentException>(() => new IntensityCalibration([(0, 0), (0.9, 1)]));
        Assert.Equal(0.4, new IntensityCalibration([(0, 0), (0.5, 0.3), (1, 0.5)]).DutyFor(0.75), 12);
    }
}
