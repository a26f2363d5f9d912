using Acquisition.Hardware.Light;

namespace Acquisition.Hardware.Tests.Light;

public class PwmExposureTests
{
    [Fact]
    public void Exposures_round_to_whole_PWM_periods()
    {
        var period = TimeSpan.FromSeconds(1.0 / 1526);
        var rounded = PwmExposure.RoundToWholePeriods(TimeSpan.FromMilliseconds(10), period);
        Assert.Equal(15, rounded.Ticks / (double)period.Ticks, 3);
        Assert.Equal(period, PwmExposure.RoundToWholePeriods(TimeSpan.FromTicks(1), period));
        Assert.Equal(TimeSpan.FromMilliseconds(7), PwmExposure.RoundToWholePeriods(TimeSpan.FromMilliseconds(7), TimeSpan.Zero));
    }

    [Fact]
    public void Whole_periods_have_no_phase_ripple_and_a_remainder_does()
    {
        var period = TimeSpan.FromMilliseconds(1);
        Assert.Equal(0, PwmExposure.WorstCaseRipple(TimeSpan.FromMilliseconds(10), period, 0.3), 12);
        Assert.True(PwmExposure.WorstCaseRipple(TimeSpan.FromMilliseconds(10.5), period, 0.3) > 0.01);
        Assert.Equal(0, PwmExposure.WorstCaseRipple(TimeSpan.FromMilliseconds(10.5), period, 1.0));
    }
}
