using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace Acquisition.Imaging.X3p;

/// <summary>
/// Writes ISO 5436-2 X3P containers: main.xml (valid against iso5436_2.xsd), bindata/data.bin (little-endian
/// float32 or float64 metres, x fastest), md5checksum.hex for main.xml, and, when forensic metadata is given, the
/// OpenFMC file announced through VendorSpecificID. It returns bytes (or writes to a caller's stream) so evidence
/// files go through DurableFileWriter, which owns fsync and never-overwrite.
/// </summary>
public static class X3pWriter
{
    public const string IsoNamespace = "http://www.opengps.eu/2008/ISO5436_2";
    public const string OpenFmcNamespace = "http://www.open-fmc.org/open-fmc-revision-1.xsd";

    /// <summary>The OpenFMC metadata file inside the container.</summary>
    public const string OpenFmcEntryName = "open-fmc.xml";

    public const string MainXmlEntryName = "main.xml";
    public const string PointDataEntryName = "bindata/data.bin";
    public const string ChecksumEntryName = "md5checksum.hex";

    public static byte[] ToBytes(X3pDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        // Sized for the point data up front: a growing stream would hold its doubling copies at once, which set the
        // peak memory of `acq stack` at 2448×2048 (docs/benchmarks.md).
        long pointBytes = (long)document.Surface.SizeX * document.Surface.SizeY * (document.Surface.DataType == X3pDataType.Float32 ? 4 : 8);
        using var buffer = new MemoryStream((int)Math.Min(int.MaxValue, pointBytes + 65536));
        Write(document, buffer);
        return buffer.ToArray();
    }

    public static void Write(X3pDocument document, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(destination);
        if (document.Record2 is null)
        {
            throw new ArgumentException("The station writes Record2 (date, creator, instrument, calibration) in every X3P file; it is missing.", nameof(document));
        }
        Validate(document.Record2);
        var pointData = PointData(document.Surface);
        var pointMd5 = Convert.ToHexStringLower(MD5.HashData(pointData));
        var mainXml = MainXml(document.Surface, document.Record2, pointMd5, document.Forensic is not null);
        var mainMd5 = Convert.ToHexStringLower(MD5.HashData(mainXml));
        // Fixed entry times keep the container reproducible from its content.
        var stamp = document.Record2.Date.ToUniversalTime();
        if (stamp.Year < 1980)
        {
            stamp = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
        }
        using var zip = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        AddEntry(zip, MainXmlEntryName, mainXml, stamp);
        AddEntry(zip, PointDataEntryName, pointData, stamp);
        // md5sum's own format ("<hash> *<name>"), which is what the schema's Record4 documentation asks for.
        AddEntry(zip, ChecksumEntryName, Encoding.ASCII.GetBytes($"{mainMd5} *{MainXmlEntryName}\n"), stamp);
        if (document.Forensic is not null)
        {
            AddEntry(zip, OpenFmcEntryName, OpenFmcXml(document.Forensic), stamp);
        }
    }

    /// <summary>The OpenFMC XML alone, for callers that store or validate it separately.</summary>
    public static byte[] OpenFmcXml(X3pForensicMetadata forensic)
    {
        ArgumentNullException.ThrowIfNull(forensic);
        using var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, WriterSettings()))
        {
            w.WriteStartDocument();
            w.WriteStartElement("fmc", "Open-FMC", OpenFmcNamespace);
            w.WriteElementString("Revision", "1.0");
            w.WriteStartElement("Admin");
            w.WriteElementString("AgencyID", forensic.AgencyId);
            w.WriteElementString("AgencyCaseNumber", forensic.AgencyCaseNumber);
            w.WriteEndElement();
            w.WriteStartElement("CartridgeCase");
            w.WriteElementString("ItemNumber", forensic.ItemNumber);
            w.WriteElementString("Caliber", forensic.Calibre);
            foreach (var region in forensic.Regions)
            {
                w.WriteElementString("CartridgeCaseROI", region.ToString());
            }
            if (forensic.Comment is not null)
            {
                w.WriteElementString("Comment", forensic.Comment);
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    private static void Validate(X3pRecord2 r)
    {
        var missing = new List<string>();
        if (string.IsNullOrWhiteSpace(r.Creator)) missing.Add("Creator (the station id)");
        if (string.IsNullOrWhiteSpace(r.Instrument.Manufacturer)) missing.Add("Instrument.Manufacturer");
        if (string.IsNullOrWhiteSpace(r.Instrument.Model)) missing.Add("Instrument.Model");
        if (string.IsNullOrWhiteSpace(r.Instrument.Serial)) missing.Add("Instrument.Serial");
        if (string.IsNullOrWhiteSpace(r.Instrument.Version)) missing.Add("Instrument.Version");
        if (string.IsNullOrWhiteSpace(r.ProbingSystemIdentification)) missing.Add("ProbingSystem.Identification");
        if (r.ProbingSystemType is not ("NonContacting" or "Contacting" or "Software")) missing.Add($"ProbingSystem.Type '{r.ProbingSystemType}' (allowed: NonContacting, Contacting, Software)");
        if (missing.Count > 0)
        {
            throw new ArgumentException("X3P Record2 is incomplete: " + string.Join("; ", missing) + ".");
        }
    }

    /// <summary>The heights as little-endian bytes, viewed in place rather than copied (20 MB at 2448×2048).</summary>
    private static ReadOnlySpan<byte> PointData(X3pSurface surface)
    {
        // ISO 5436-2 binary data is little-endian; so is every machine this runs on, which the check makes explicit.
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("X3P point data is little-endian; this writer runs only on little-endian machines.");
        }
        return surface.Float32Metres is not null
            ? MemoryMarshal.AsBytes(surface.Float32Metres.AsSpan())
            : MemoryMarshal.AsBytes(surface.Float64Metres!.AsSpan());
    }

    private static byte[] MainXml(X3pSurface s, X3pRecord2 r, string pointMd5, bool announceOpenFmc)
    {
        using var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, WriterSettings()))
        {
            w.WriteStartDocument();
            w.WriteStartElement("p", "ISO5436_2", IsoNamespace);
            w.WriteStartElement("Record1");
            w.WriteElementString("Revision", "ISO5436 - 2000");
            w.WriteElementString("FeatureType", "SUR");
            w.WriteStartElement("Axes");
            WriteAxis(w, "CX", "I", null, s.IncrementXMetres);
            WriteAxis(w, "CY", "I", null, s.IncrementYMetres);
            WriteAxis(w, "CZ", "A", s.DataType == X3pDataType.Float32 ? "F" : "D", 1.0);
            w.WriteEndElement();
            w.WriteEndElement();

            // Schema order: Date, Creator, Instrument, CalibrationDate, ProbingSystem, Comment.
            w.WriteStartElement("Record2");
            w.WriteElementString("Date", Iso(r.Date));
            w.WriteElementString("Creator", r.Creator);
            w.WriteStartElement("Instrument");
            w.WriteElementString("Manufacturer", r.Instrument.Manufacturer);
            w.WriteElementString("Model", r.Instrument.Model);
            w.WriteElementString("Serial", r.Instrument.Serial);
            w.WriteElementString("Version", r.Instrument.Version);
            w.WriteEndElement();
            w.WriteElementString("CalibrationDate", Iso(r.CalibrationDate));
            w.WriteStartElement("ProbingSystem");
            w.WriteElementString("Type", r.ProbingSystemType);
            w.WriteElementString("Identification", r.ProbingSystemIdentification);
            w.WriteEndElement();
            if (r.Comment is not null)
            {
                w.WriteElementString("Comment", r.Comment);
            }
            w.WriteEndElement();

            w.WriteStartElement("Record3");
            w.WriteStartElement("MatrixDimension");
            w.WriteElementString("SizeX", s.SizeX.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("SizeY", s.SizeY.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("SizeZ", "1");
            w.WriteEndElement();
            w.WriteStartElement("DataLink");
            w.WriteElementString("PointDataLink", PointDataEntryName);
            w.WriteElementString("MD5ChecksumPointData", pointMd5);
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("Record4");
            w.WriteElementString("ChecksumFile", ChecksumEntryName);
            w.WriteEndElement();
            if (announceOpenFmc)
            {
                w.WriteElementString("VendorSpecificID", OpenFmcNamespace);
            }
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return buffer.ToArray();
    }

    private static void WriteAxis(XmlWriter w, string name, string axisType, string? dataType, double increment)
    {
        w.WriteStartElement(name);
        w.WriteElementString("AxisType", axisType);
        if (dataType is not null)
        {
            w.WriteElementString("DataType", dataType);
        }
        w.WriteElementString("Increment", increment.ToString("R", CultureInfo.InvariantCulture));
        w.WriteElementString("Offset", "0");
        w.WriteEndElement();
    }

    private static string Iso(DateTimeOffset t) =>
        t.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture).Replace("+00:00", "Z", StringComparison.Ordinal);

    private static XmlWriterSettings WriterSettings() => new()
    {
        Encoding = new UTF8Encoding(false),
        Indent = true,
        IndentChars = "  ",
        NewLineChars = "\n",
    };

    private static void AddEntry(ZipArchive zip, string name, ReadOnlySpan<byte> content, DateTimeOffset stamp)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        entry.LastWriteTime = stamp;
        using var s = entry.Open();
        s.Write(content);
    }
}
