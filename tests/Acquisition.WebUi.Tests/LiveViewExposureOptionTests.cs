using Acquisition.Station.Web;

namespace Acquisition.WebUi.Tests;

/// <summary>Web:LiveViewExposure is checked at start like every Web setting, with a message naming the key and the range.</summary>
public sealed class LiveViewExposureOptionTests
{
    private static IEnumerable<string> Failures(WebOptions options) => new WebOptionsValidator().Validate(null, options).Failures ?? [];

    [Fact]
    public void The_default_exposure_is_valid()
    {
        Assert.DoesNotContain(Failures(new WebOptions()), f => f.StartsWith("Web:LiveViewExposure", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0.0, 5.0)]
    [InlineData(600.0, 1.0)]
    [InlineData(250.0, 5.0)] // longer than one frame period at 5 frames/s (200 ms)
    public void An_exposure_out_of_range_or_longer_than_a_frame_period_is_refused_with_the_key_and_the_range(double milliseconds, double framesPerSecond)
    {
        var failure = Assert.Single(Failures(new WebOptions { LiveViewExposure = TimeSpan.FromMilliseconds(milliseconds), LiveViewMaxFramesPerSecond = framesPerSecond }));
        Assert.StartsWith("Web:LiveViewExposure = ", failure, StringComparison.Ordinal);
        Assert.Contains("no longer than one live-view frame period", failure, StringComparison.Ordinal);
    }
}
