using System.IO.Compression;
using System.Text;
using Acquisition.Imaging.X3p;

namespace Acquisition.Imaging.Tests;

public sealed class X3pWriterTests
{
    private static readonly X3pRecord2 Record2 = new(
        new DateTimeOffset(2026, 11, 23, 5, 30, 12, 345, TimeSpan.Zero),
        "station-0042",
        new X3pInstrument("Example Forensics", "CCS-1", "SN-0042", "acquisition 0.1.0"),
        new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero),
        "NonContacting",
        "NA 0.30 focus variation, ring light 8 segments");

    private static readonly X3pForensicMetadata Forensic = new(
        "ORI-XY0000001", "2026-CASE-17", "ITEM-3", "9mm Luger",
        [X3pRegionOfInterest.BreechFace, X3pRegionOfInterest.FiringPinImpression, X3pRegionOfInterest.EjectorMark, X3pRegionOfInterest.ApertureShear]);

    [Fact]
    public void Written_main_xml_and_openfmc_validate_against_their_schemas()
    {
        foreach (var surface in new[] { FloatSurface(), DoubleSurface() })
        {
            var bytes = X3pWriter.ToBytes(new X3pDocument(surface, Record2, Forensic));
            var entries = Entries(bytes);

            Assert.Empty(X3pTestFiles.Validate(entries["main.xml"], "iso5436_2.xsd"));
            Assert.Empty(X3pTestFiles.Validate(entries[X3pWriter.OpenFmcEntryName], "open-fmc-revision-1.xsd"));
            var main = Encoding.UTF8.GetString(entries["main.xml"]);
            Assert.Contains($"<VendorSpecificID>{X3pWriter.OpenFmcNamespace}</VendorSpecificID>", main, StringComparison.Ordinal);
            Assert.Contains("<Date>2026-11-23T05:30:12.345Z</Date>", main, StringComparison.Ordinal);
            Assert.Contains("<Creator>station-0042</Creator>", main, StringComparison.Ordinal);
            Assert.Contains("<Type>NonContacting</Type>", main, StringComparison.Ordinal);
            Assert.Contains(surface.DataType == X3pDataType.Float32 ? "<DataType>F</DataType>" : "<DataType>D</DataType>", main, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_schema_check_is_real_a_broken_main_xml_fails_it()
    {
        var entries = Entries(X3pWriter.ToBytes(new X3pDocument(FloatSurface(), Record2)));
        var broken = Encoding.UTF8.GetString(entries["main.xml"]).Replace("<FeatureType>SUR</FeatureType>", "<FeatureType>XYZ</FeatureType>", StringComparison.Ordinal);

        Assert.NotEmpty(X3pTestFiles.Validate(Encoding.UTF8.GetBytes(broken), "iso5436_2.xsd"));
    }

    [Fact]
    public void The_fadul_deviations_do_not_validate_so_our_writer_must_not_copy_them()
    {
        using var zip = ZipFile.OpenRead(X3pTestFiles.Fadul("Fadul_1-1.x3p"));
        using var s = zip.GetEntry("main.xml")!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);

        Assert.NotEmpty(X3pTestFiles.Validate(ms.ToArray(), "iso5436_2.xsd"));
    }

    [Fact]
    public void Checksums_in_the_container_match_what_they_cover()
    {
        var doc = X3pReader.Read(new MemoryStream(X3pWriter.ToBytes(new X3pDocument(FloatSurface(), Record2, Forensic))));

        Assert.True(doc.PointDataChecksumMatches);
        Assert.True(doc.MainXmlChecksumMatches);
        Assert.Equal(X3pWriter.OpenFmcNamespace, doc.VendorSpecificId);
        Assert.Equal(Forensic.AgencyCaseNumber, doc.Forensic!.AgencyCaseNumber);
        Assert.Equal(Forensic.Regions, doc.Forensic.Regions);
        Assert.Equal(Record2.Date, doc.Record2!.Date);
        Assert.True(doc.Record2.DateHadOffset);
        Assert.Equal(Record2.Instrument, doc.Record2.Instrument);
    }

    [Fact]
    public void Float_round_trip_keeps_every_bit_including_nan()
    {
        var original = FloatSurface();
        var back = X3pReader.Read(new MemoryStream(X3pWriter.ToBytes(new X3pDocument(original, Record2)))).Surface;

        Assert.Equal(X3pDataType.Float32, back.DataType);
        Assert.Equal(original.SizeX, back.SizeX);
        Assert.Equal(original.SizeY, back.SizeY);
        Assert.Equal(original.IncrementXMetres, back.IncrementXMetres);
        Assert.Equal(original.IncrementYMetres, back.IncrementYMetres);
        Assert.Equal(
            original.Float32Metres!.Select(BitConverter.SingleToInt32Bits),
            back.Float32Metres!.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Double_round_trip_of_a_real_scan_keeps_every_bit()
    {
        var fadul = X3pReader.Read(X3pTestFiles.Fadul("Fadul_1-1.x3p")).Surface;
        var bytes = X3pWriter.ToBytes(new X3pDocument(fadul, Record2, Forensic));
        var back = X3pReader.Read(new MemoryStream(bytes)).Surface;

        Assert.Empty(X3pTestFiles.Validate(Entries(bytes)["main.xml"], "iso5436_2.xsd"));
        Assert.Equal(
            fadul.Float64Metres!.Select(BitConverter.DoubleToInt64Bits),
            back.Float64Metres!.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Micrometre_height_maps_are_stored_in_metres_with_nan_kept()
    {
        var surface = X3pSurface.FromMicrometres(3, 2, 2.5, [1.5f, -2f, float.NaN, 0f, 100f, -0.25f]);
        var back = X3pReader.Read(new MemoryStream(X3pWriter.ToBytes(new X3pDocument(surface, Record2)))).Surface;

        Assert.Equal(2.5e-6, back.IncrementXMetres, 15);
        Assert.Equal(1.5e-6, back.HeightMetresAt(0, 0), 10);
        Assert.True(double.IsNaN(back.HeightMetresAt(2, 0)));
        Assert.Equal(100f, back.ToMicrometresFloat32()[4], 3);
    }

    [Fact]
    public void Incomplete_record2_is_refused_naming_every_missing_field()
    {
        var bad = Record2 with { Creator = " ", Instrument = Record2.Instrument with { Serial = "" } };

        var e = Assert.Throws<ArgumentException>(() => X3pWriter.ToBytes(new X3pDocument(FloatSurface(), bad)));
        Assert.Contains("Creator", e.Message, StringComparison.Ordinal);
        Assert.Contains("Instrument.Serial", e.Message, StringComparison.Ordinal);
    }

    private static X3pSurface FloatSurface()
    {
        var rng = new Random(7);
        var h = new float[37 * 23];
        for (var i = 0; i < h.Length; i++)
        {
            h[i] = i % 11 == 0 ? float.NaN : (float)((rng.NextDouble() - 0.5) * 2e-5);
        }
        return X3pSurface.FromFloat32Metres(37, 23, 2.5e-6, 2.5e-6, h);
    }

    private static X3pSurface DoubleSurface()
    {
        var rng = new Random(9);
        var h = new double[19 * 29];
        for (var i = 0; i < h.Length; i++)
        {
            h[i] = i % 7 == 0 ? double.NaN : (rng.NextDouble() - 0.5) * 4e-4;
        }
        return X3pSurface.FromFloat64Metres(19, 29, 2.63e-6, 2.5e-6, h);
    }

    private static Dictionary<string, byte[]> Entries(byte[] container)
    {
        using var zip = new ZipArchive(new MemoryStream(container), ZipArchiveMode.Read);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            return ms.ToArray();
        });
    }
}
