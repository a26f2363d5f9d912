using Acquisition.Imaging.X3p;

namespace Acquisition.Imaging.Tests;

public sealed class X3pReaderTests
{
    [Theory]
    [InlineData("Fadul_1-1.x3p", 545)]
    [InlineData("Fadul_1-2.x3p", 546)]
    [InlineData("Fadul_2-1.x3p", 537)]
    public void Fadul_files_read_with_their_size_spacing_and_height_range(string file, int size)
    {
        var doc = X3pReader.Read(X3pTestFiles.Fadul(file));

        var s = doc.Surface;
        Assert.Equal(size, s.SizeX);
        Assert.Equal(size, s.SizeY);
        Assert.Equal(6.25e-6, s.IncrementXMetres, 12);
        Assert.Equal(6.25e-6, s.IncrementYMetres, 12);
        Assert.Equal(X3pDataType.Float64, s.DataType);
        Assert.True(doc.PointDataChecksumMatches);
        Assert.True(doc.MainXmlChecksumMatches);

        var um = s.ToMicrometresFloat32();
        var finite = um.Where(float.IsFinite).ToArray();
        var nanCount = um.Length - finite.Length;
        Assert.InRange(nanCount, um.Length / 20, um.Length - (um.Length / 4));
        // Band-passed residual topography: about ±10 µm, a few micrometres RMS.
        Assert.InRange(finite.Min(), -40f, -3f);
        Assert.InRange(finite.Max(), 3f, 40f);
        var rms = Math.Sqrt(finite.Average(v => (double)v * v));
        Assert.InRange(rms, 0.3, 10);
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
