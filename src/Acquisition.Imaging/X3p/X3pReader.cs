using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Acquisition.Imaging.X3p;

/// <summary>
/// Reads X3P containers tolerantly: elements are found by name wherever the producer put them (the Fadul files put
/// CalibrationDate before Instrument and add Mask and Origin), element namespaces are ignored, and dates without a
/// time zone are taken as UTC. What it cannot read (no main.xml, a size that does not match the point data) is an
/// <see cref="X3pFormatException"/> that says what is wrong.
/// </summary>
public static class X3pReader
{
    public static X3pDocument Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = File.OpenRead(path);
        try
        {
            return Read(file);
        }
        catch (X3pFormatException e)
        {
            throw new X3pFormatException($"{path}: {e.Message}", e);
        }
    }

    public static X3pDocument Read(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(source, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new X3pFormatException("not a zip container; an X3P file is a zip holding main.xml and bindata/.", e);
        }
        using (zip)
        {
            var mainEntry = FindEntry(zip, X3pWriter.MainXmlEntryName)
                ?? throw new X3pFormatException("the container has no main.xml.");
            var mainBytes = ReadAll(mainEntry);
            XDocument xml;
            try
            {
                using var ms = new MemoryStream(mainBytes);
                xml = XDocument.Load(ms);
            }
            catch (XmlException e)
            {
                throw new X3pFormatException($"main.xml is not well-formed XML: {e.Message}", e);
            }
            var root = xml.Root ?? throw new X3pFormatException("main.xml is empty.");
            var record1 = Child(root, "Record1") ?? throw new X3pFormatException("main.xml has no Record1.");
            var featureType = Text(record1, "FeatureType");
            if (featureType is not null && featureType.Trim() != "SUR")
            {
                throw new X3pFormatException($"FeatureType is '{featureType.Trim()}'; only SUR (areal surfaces) is supported.");
            }
            var axes = Child(record1, "Axes") ?? throw new X3pFormatException("Record1 has no Axes.");
            var cx = Child(axes, "CX") ?? throw new X3pFormatException("Axes has no CX.");
            var cy = Child(axes, "CY") ?? throw new X3pFormatException("Axes has no CY.");
            var cz = Child(axes, "CZ") ?? throw new X3pFormatException("Axes has no CZ.");
            var incX = Number(cx, "Increment") ?? throw new X3pFormatException("CX has no Increment (the point spacing in metres).");
            var incY = Number(cy, "Increment") ?? throw new X3pFormatException("CY has no Increment (the point spacing in metres).");
            var zInc = Number(cz, "Increment") ?? 1.0;
            var zOff = Number(cz, "Offset") ?? 0.0;
            var dataType = (Text(cz, "DataType") ?? "D").Trim() switch
            {
                "I" => X3pDataType.Int16,
                "L" => X3pDataType.Int32,
                "F" => X3pDataType.Float32,
                "D" => X3pDataType.Float64,
                var other => throw new X3pFormatException($"CZ DataType '{other}' is unknown; allowed: I, L, F, D."),
            };

            var record3 = Child(root, "Record3") ?? throw new X3pFormatException("main.xml has no Record3.");
            var dims = Child(record3, "MatrixDimension")
                ?? throw new X3pFormatException("Record3 has no MatrixDimension; list (point-cloud) files are not supported.");
            var sizeX = Integer(dims, "SizeX");
            var sizeY = Integer(dims, "SizeY");
            var sizeZ = Child(dims, "SizeZ") is null ? 1 : Integer(dims, "SizeZ");
            if (sizeZ != 1)
            {
                throw new X3pFormatException($"SizeZ is {sizeZ}; only single-layer surfaces are supported.");
            }
            var link = Child(record3, "DataLink") ?? throw new X3pFormatException("Record3 has no DataLink; inline DataList files are not supported.");
            var dataPath = Text(link, "PointDataLink")?.Trim() ?? throw new X3pFormatException("DataLink has no PointDataLink.");
            var dataEntry = FindEntry(zip, dataPath) ?? throw new X3pFormatException($"the point data '{dataPath}' named in main.xml is not in the container.");
            var data = ReadAll(dataEntry);
            var expectedMd5 = Text(link, "MD5ChecksumPointData")?.Trim();
            bool? pointOk = expectedMd5 is null ? null : string.Equals(expectedMd5, Convert.ToHexStringLower(MD5.HashData(data)), StringComparison.OrdinalIgnoreCase);

            var count = (long)sizeX * sizeY;
            var bytesPer = dataType switch { X3pDataType.Int16 => 2, X3pDataType.Int32 or X3pDataType.Float32 => 4, _ => 8 };
            if (data.Length != count * bytesPer)
            {
                throw new X3pFormatException($"'{dataPath}' has {data.Length} bytes; {sizeX}×{sizeY} points of type {dataType} need {count * bytesPer}.");
            }
            var surface = Decode(data, dataType, sizeX, sizeY, incX, incY, zInc, zOff);

            bool? mainOk = null;
            var sumEntry = FindEntry(zip, X3pWriter.ChecksumEntryName);
            if (sumEntry is not null)
            {
                var text = Encoding.ASCII.GetString(ReadAll(sumEntry)).Trim();
                var hash = text.Length >= 32 ? text[..32] : text;
                mainOk = string.Equals(hash, Convert.ToHexStringLower(MD5.HashData(mainBytes)), StringComparison.OrdinalIgnoreCase);
            }

            var record2 = Child(root, "Record2") is { } r2 ? ReadRecord2(r2) : null;
            var vendor = Text(root, "VendorSpecificID")?.Trim();
            X3pForensicMetadata? forensic = null;
            if (FindEntry(zip, X3pWriter.OpenFmcEntryName) is { } fmcEntry)
            {
                forensic = ReadOpenFmc(ReadAll(fmcEntry));
            }
            return new X3pDocument(surface, record2, forensic)
            {
                VendorSpecificId = vendor,
                PointDataChecksumMatches = pointOk,
                MainXmlChecksumMatches = mainOk,
            };
        }
    }

    private static X3pSurface Decode(byte[] data, X3pDataType type, int sizeX, int sizeY, double incX, double incY, double zInc, double zOff)
    {
        var n = sizeX * sizeY;
        switch (type)
        {
            case X3pDataType.Float32:
            {
                var f = new float[n];
                for (var i = 0; i < n; i++)
                {
                    f[i] = BinaryPrimitives.ReadSingleLittleEndian(data.AsSpan(i * 4));
                }
                // Float data is metres already; a non-unit increment or offset (rare) must still be honoured.
                if (zInc != 1.0 || zOff != 0.0)
                {
                    return X3pSurface.FromFloat64Metres(sizeX, sizeY, incX, incY, f.Select(v => zOff + (v * zInc)).ToArray());
                }
                return X3pSurface.FromFloat32Metres(sizeX, sizeY, incX, incY, f);
            }
            case X3pDataType.Float64:
            {
                var d = new double[n];
                var raw = zInc == 1.0 && zOff == 0.0;
                for (var i = 0; i < n; i++)
                {
                    var v = BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(i * 8));
                    // Unscaled data is copied untouched so a round trip keeps every bit, NaN payloads included.
                    d[i] = raw ? v : zOff + (v * zInc);
                }
                return X3pSurface.FromFloat64Metres(sizeX, sizeY, incX, incY, d);
            }
            case X3pDataType.Int16:
            {
                var d = new double[n];
                for (var i = 0; i < n; i++)
                {
                    d[i] = zOff + (BinaryPrimitives.ReadInt16LittleEndian(data.AsSpan(i * 2)) * zInc);
                }
                return X3pSurface.FromFloat64Metres(sizeX, sizeY, incX, incY, d);
            }
            default:
            {
                var d = new double[n];
                for (var i = 0; i < n; i++)
                {
                    d[i] = zOff + (BinaryPrimitives.ReadInt32LittleEndian(data.AsSpan(i * 4)) * zInc);
                }
                return X3pSurface.FromFloat64Metres(sizeX, sizeY, incX, incY, d);
            }
        }
    }

    private static X3pRecord2 ReadRecord2(XElement r2)
    {
        var (date, dateHadOffset) = Date(Text(r2, "Date"));
        var (cal, _) = Date(Text(r2, "CalibrationDate"));
        var instrument = Child(r2, "Instrument");
        var probing = Child(r2, "ProbingSystem");
        return new X3pRecord2(
            date,
            Text(r2, "Creator")?.Trim() ?? string.Empty,
            new X3pInstrument(
                Text(instrument, "Manufacturer")?.Trim() ?? string.Empty,
                Text(instrument, "Model")?.Trim() ?? string.Empty,
                Text(instrument, "Serial")?.Trim() ?? string.Empty,
                Text(instrument, "Version")?.Trim() ?? string.Empty),
            cal,
            Text(probing, "Type")?.Trim() ?? string.Empty,
            Text(probing, "Identification")?.Trim() ?? string.Empty,
            Text(r2, "Comment"))
        {
            DateHadOffset = dateHadOffset,
        };
    }

    private static X3pForensicMetadata ReadOpenFmc(byte[] bytes)
    {
        XDocument xml;
        try
        {
            using var ms = new MemoryStream(bytes);
            xml = XDocument.Load(ms);
        }
        catch (XmlException e)
        {
            throw new X3pFormatException($"{X3pWriter.OpenFmcEntryName} is not well-formed XML: {e.Message}", e);
        }
        var root = xml.Root!;
        var admin = Child(root, "Admin");
        var casing = Child(root, "CartridgeCase");
        var regions = new List<X3pRegionOfInterest>();
        foreach (var roi in Children(casing, "CartridgeCaseROI"))
        {
            if (Enum.TryParse<X3pRegionOfInterest>(roi.Value.Trim(), out var r))
            {
                regions.Add(r);
            }
        }
        return new X3pForensicMetadata(
            Text(admin, "AgencyID") ?? string.Empty,
            Text(admin, "AgencyCaseNumber")?.Trim() ?? string.Empty,
            Text(casing, "ItemNumber")?.Trim() ?? string.Empty,
            Text(casing, "Caliber")?.Trim() ?? string.Empty,
            regions,
            Text(casing, "Comment"));
    }

    private static (DateTimeOffset Value, bool HadOffset) Date(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return (DateTimeOffset.MinValue, false);
        }
        text = text.Trim();
        var hasOffset = text.EndsWith('Z') || System.Text.RegularExpressions.Regex.IsMatch(text, @"[+-]\d\d:\d\d$");
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                hasOffset ? DateTimeStyles.AdjustToUniversal : DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return (value, hasOffset);
        }
        throw new X3pFormatException($"date '{text}' is not an ISO 8601 date-time.");
    }

    private static ZipArchiveEntry? FindEntry(ZipArchive zip, string name)
    {
        var normalised = name.Replace('\\', '/').TrimStart('/');
        return zip.GetEntry(normalised)
            ?? zip.Entries.FirstOrDefault(e => string.Equals(e.FullName.Replace('\\', '/'), normalised, StringComparison.OrdinalIgnoreCase));
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static XElement? Child(XElement? parent, string localName) =>
        parent?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static IEnumerable<XElement> Children(XElement? parent, string localName) =>
        parent?.Elements().Where(e => e.Name.LocalName == localName) ?? [];

    private static string? Text(XElement? parent, string localName) => Child(parent, localName)?.Value;

    private static double? Number(XElement parent, string localName)
    {
        var t = Text(parent, localName);
        if (t is null)
        {
            return null;
        }
        return double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new X3pFormatException($"{parent.Name.LocalName}/{localName} '{t.Trim()}' is not a number.");
    }

    private static int Integer(XElement parent, string localName)
    {
        var t = Text(parent, localName) ?? throw new X3pFormatException($"{parent.Name.LocalName} has no {localName}.");
        return int.TryParse(t.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
            ? v
            : throw new X3pFormatException($"{parent.Name.LocalName}/{localName} '{t.Trim()}' is not a positive integer.");
    }
}
