using Acquisition.Station.Hosting;

namespace Acquisition.Station.Tests;

public sealed class StationLaunchTests
{
    [Fact]
    public void Own_options_are_taken_and_the_rest_left_as_configuration_overrides()
    {
        var launch = StationLaunch.Parse(["--config", "a.json", "--once", "--Station:StationId=X"]);

        Assert.Equal("a.json", launch.ConfigFile);
        Assert.True(launch.ExitWhenReady);
        Assert.Equal(["--Station:StationId=X"], launch.ConfigurationArguments);
        Assert.Equal(Path.GetFullPath("a.json"), launch.EffectiveConfigFile);
    }

    [Fact]
    public void Demo_implies_once_and_is_not_set_by_once_alone()
    {
        var demo = StationLaunch.Parse(["--demo"]);
        var once = StationLaunch.Parse(["--once"]);

        Assert.True(demo.Demo);
        Assert.True(demo.ExitWhenReady);
        Assert.False(once.Demo);
        Assert.Empty(demo.ConfigurationArguments);
    }

    [Fact]
    public void Config_without_a_file_name_says_what_is_missing()
    {
        var ex = Assert.Throws<ArgumentException>(() => StationLaunch.Parse(["--config"]));
        Assert.Contains("--config needs a file name", ex.Message);
    }
}
