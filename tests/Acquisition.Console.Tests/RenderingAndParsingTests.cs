using Acquisition.Core.Control;
using Acquisition.Core.Domain;
using Acquisition.ServiceConsole.Cli;
using Acquisition.ServiceConsole.Rendering;

namespace Acquisition.Console.Tests;

/// <summary>Pure functions of the console, in-process.</summary>
public sealed class RenderingAndParsingTests
{
    [Theory]
    [InlineData("all", null)]
    [InlineData("ALL", null)]
    [InlineData("3", new[] { 3 })]
    [InlineData("0,2,4", new[] { 0, 2, 4 })]
    [InlineData("4-6,0", new[] { 0, 4, 5, 6 })]
    [InlineData("1,1,1-2", new[] { 1, 2 })]
    public void Segments_accept_lists_and_ranges(string text, int[]? expected)
    {
        Assert.Equal(expected, ValueParsers.Segments(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("3-1")]
    [InlineData("-1")]
    [InlineData("1,,2")]
    public void Segments_reject_anything_else_as_usage(string text)
    {
        var ex = Assert.Throws<CliException>(() => ValueParsers.Segments(text));
        Assert.Equal(ExitCodes.Usage, ex.ExitCode);
    }

    [Theory]
    [InlineData("0.4", 0.4)]
    [InlineData("40%", 0.4)]
    [InlineData("0", 0)]
    [InlineData("100%", 1)]
    public void Levels_accept_fractions_and_percentages(string text, double expected)
    {
        Assert.Equal(expected, ValueParsers.Level(text, "Level"), 12);
    }

    [Theory]
    [InlineData("1.01")]
    [InlineData("-0.1")]
    [InlineData("101%")]
    [InlineData("bright")]
    [InlineData("NaN")]
    public void Levels_out_of_range_are_usage_errors(string text)
    {
        Assert.Equal(ExitCodes.Usage, Assert.Throws<CliException>(() => ValueParsers.Level(text, "Level")).ExitCode);
    }

    [Fact]
    public void Focus_plot_puts_the_peak_on_the_top_row_and_marks_best_z()
    {
        var curve = new[] { new FocusSample(0, 1), new FocusSample(10, 5), new FocusSample(20, 9), new FocusSample(30, 4) };

        var lines = FocusCurvePlot.Render(curve, 20, width: 31, height: 9).Split('\n');

        // Row 1 is the top of the plot (row 0 is the axis title); z=20 maps to column 20 of 0..30.
        var top = lines[1];
        var bar = top.IndexOf('|', StringComparison.Ordinal);
        Assert.Equal('*', top[bar + 1 + 20]);
        var marker = lines.Single(l => l.Contains("^ best Z", StringComparison.Ordinal));
        Assert.Equal(bar + 1 + 20, marker.IndexOf('^', StringComparison.Ordinal));
        Assert.Contains("20 µm", marker);
        Assert.Contains("30 µm (Z)", lines[^2]);
    }

    [Fact]
    public void Focus_plot_copes_with_a_flat_or_empty_curve()
    {
        Assert.Equal("(no focus samples)", FocusCurvePlot.Render([], null));
        var flat = FocusCurvePlot.Render([new FocusSample(5, 2), new FocusSample(5, 2)], null);
        Assert.Contains("*", flat);
        Assert.DoesNotContain("best Z", flat);
    }

    private static CalibrationValidity Record(DateTimeOffset? validUntil, CalibrationValidityStatus stationSays = CalibrationValidityStatus.Valid) =>
        new(CalibrationKind.FlatField, stationSays, validUntil is null ? null : "flat-field-v7", 7, null, "alice", validUntil, TimeSpan.FromDays(7));

    [Fact]
    public void Expiry_is_judged_against_the_station_clock_with_the_warning_period()
    {
        var now = new DateTimeOffset(2026, 11, 23, 5, 0, 0, TimeSpan.Zero);
        Assert.Equal(CalibrationValidityStatus.Valid, CalibrationExpiry.Judge(Record(now.AddDays(8)), now));
        Assert.Equal(CalibrationValidityStatus.Expiring, CalibrationExpiry.Judge(Record(now.AddDays(7)), now));
        Assert.Equal(CalibrationValidityStatus.Expired, CalibrationExpiry.Judge(Record(now), now));
        Assert.Equal(CalibrationValidityStatus.Missing, CalibrationExpiry.Judge(Record(null), now));
        // Never a better verdict than the station's own.
        Assert.Equal(CalibrationValidityStatus.Expired, CalibrationExpiry.Judge(Record(now.AddDays(30), CalibrationValidityStatus.Expired), now));
        Assert.Null(CalibrationExpiry.Warning(Record(now.AddDays(30)), now));
        Assert.Contains("expires in 3 d 0 h", CalibrationExpiry.Warning(Record(now.AddDays(3)), now));
    }

    [Fact]
    public void Wire_names_of_enums_are_kebab_case()
    {
        Assert.Equal("pixel-size", ControlApiJson.WireName(CalibrationKind.PixelSize));
        Assert.Equal("z-scale", ControlApiJson.WireName(CalibrationKind.ZScale));
        Assert.Equal("/calibrations/flat-field", ControlApiRoutes.Calibration(ControlApiJson.WireName(CalibrationKind.FlatField)));
    }
}
