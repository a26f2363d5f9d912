using Acquisition.Imaging.X3p;

namespace Acquisition.Imaging.Tests;

public sealed class X3pReaderTests
{
    /// <summary>
    /// Per-file figures computed independently of this reader: Python 3 (zipfile, xml.etree, struct, no X3P library)
    /// parsed main.xml and unpacked bindata/data.bin as little-endian float64 metres
    /// (X3pFixtures/fadul_figures.py). Heights in µm; min/max with their (ix, iy), index = ix + iy·SizeX.
    /// </summary>
    private sealed record FadulFigures(int Size, int NanCount,
        double MinMicrometres, int MinX, int MinY, double MaxMicrometres, int MaxX, int MaxY,
        double RmsMicrometres, double MeanMicrometres);

    private static readonly Dictionary<string, FadulFigures> Fadul = new(StringComparer.Ordinal)
    {
        ["Fadul_1-1.x3p"] = new(545, 214483, -8.917172, 220, 47, 9.664306, 144, 51, 1.616284, -0.113369),
        ["Fadul_1-2.x3p"] = new(546, 208643, -10.151818, 208, 458, 9.725202, 230, 24, 1.626871, -0.114433),
        ["Fadul_2-1.x3p"] = new(537, 202675, -14.525386, 41, 257, 11.100952, 469, 132, 1.778867, -0.122812),
    };

    [Theory]
    [InlineData("Fadul_1-1.x3p")]
    [InlineData("Fadul_1-2.x3p")]
    [InlineData("Fadul_2-1.x3p")]
    public void Fadul_files_read_with_their_size_spacing_and_height_range(string file)
    {
        var expected = Fadul[file];
        var doc = X3pReader.Read(X3pTestFiles.Fadul(file));

        var s = doc.Surface;
        Assert.Equal(expected.Size, s.SizeX);
        Assert.Equal(expected.Size, s.SizeY);
        // "6.25e-06" in main.xml: parsed to the same double, so compared exactly.
        Assert.Equal(6.25e-6, s.IncrementXMetres);
        Assert.Equal(6.25e-6, s.IncrementYMetres);
        Assert.Equal(X3pDataType.Float64, s.DataType);
        Assert.True(doc.PointDataChecksumMatches);
        Assert.True(doc.MainXmlChecksumMatches);

        var um = s.Float64Metres!.Select(v => v * 1e6).ToArray();
        var finite = um.Where(double.IsFinite).ToArray();
        Assert.Equal(expected.NanCount, um.Length - finite.Length);

        // The expected figures are rounded to 1e-6 µm; 1e-5 µm absolute on the extremes and 1e-4 relative on the RMS
        // and mean leave room for that rounding only: a height scale off by even 1 % fails every one of them.
        var min = finite.Min();
        var max = finite.Max();
        Assert.Equal(expected.MinMicrometres, min, 1e-5);
        Assert.Equal(expected.MaxMicrometres, max, 1e-5);
        // Where they lie pins the index order (x fastest, row 0 first) and the size.
        Assert.Equal(expected.MinX + (expected.MinY * expected.Size), Array.IndexOf(um, min));
        Assert.Equal(expected.MaxX + (expected.MaxY * expected.Size), Array.IndexOf(um, max));
        Assert.Equal(min * 1e-6, s.HeightMetresAt(expected.MinX, expected.MinY), 1e-15);
        var rms = Math.Sqrt(finite.Average(v => v * v));
        Assert.Equal(expected.RmsMicrometres, rms, expected.RmsMicrometres * 1e-4);
        Assert.Equal(expected.MeanMicrometres, finite.Average(), Math.Abs(expected.MeanMicrometres) * 1e-4);
    }

    [Fact]
    public void Fadul_record2_is_read_despite_calibration_date_before_instrument()
    {
        var r = X3pReader.Read(X3pTestFiles.Fadul("Fadul_1-1.x3p")).Record2!;

        Assert.Equal("NanoFocus", r.Instrument.Manufacturer);
        Assert.Equal("usurf", r.Instrument.Model);
        Assert.Equal("NonContacting", r.ProbingSystemType);
        Assert.Equal(new DateTimeOffset(2011, 1, 24, 9, 0, 0, TimeSpan.Zero), r.CalibrationDate);
        Assert.Equal(new DateTimeOffset(2011, 1, 24, 13, 0, 0, TimeSpan.Zero), r.Date);
        Assert.False(r.DateHadOffset);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused_with_a_clear_error()
    {
        var e = Assert.Throws<X3pFormatException>(() => X3pReader.Read(new MemoryStream("<xml/>"u8.ToArray())));
        Assert.Contains("zip", e.Message, StringComparison.Ordinal);
    }
}
