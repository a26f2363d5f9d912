using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class GrblSettingsTests
{
    [Fact]
    public void The_station_settings_file_parses_and_holds_what_the_driver_needs()
    {
        var path = Path.Combine(RepoRoot.Path, "firmware-config", "grbl-settings.txt");
        var s = GrblSettings.ParseFile(path);
        foreach (var n in new[] { 10, 20, 21, 22, 27, 100, 101, 102, 110, 111, 112, 120, 121, 122, 130, 131, 132 })
        {
            Assert.NotNull(s[n]);
        }
        Assert.Equal(1, s.Number(10, 0)); // machine positions in status reports
    }

    [Fact]
    public void Differences_compare_numbers_not_text()
    {
        var controller = GrblSettings.Parse(["$100=800.000", "$110=500.000", "$130=50.000"], "controller");
        var wanted = GrblSettings.Parse(["$100=800 # same", "$110=400", "$132=20"], "file");
        var diff = controller.DifferencesTo(wanted);
        Assert.Equal([new(110, "400"), new(132, "20")], diff);
    }

    [Fact]
    public void Bad_lines_are_all_reported_with_line_numbers()
    {
        var ex = Assert.Throws<FormatException>(() => GrblSettings.Parse(["# ok", "$100=800", "$x=1", "$101=abc", "G0 X1"], "grbl-settings.txt"));
        Assert.Contains("grbl-settings.txt:3", ex.Message, StringComparison.Ordinal);
        Assert.Contains("grbl-settings.txt:4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("grbl-settings.txt:5", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("grbl-settings.txt:2", ex.Message, StringComparison.Ordinal);
    }
}
