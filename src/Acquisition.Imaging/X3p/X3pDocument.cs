namespace Acquisition.Imaging.X3p;

/// <summary>One X3P file's content: the surface, its Record2 metadata and, when present, the OpenFMC metadata.</summary>
public sealed record X3pDocument(X3pSurface Surface, X3pRecord2? Record2, X3pForensicMetadata? Forensic = null)
{
    /// <summary>main.xml's VendorSpecificID, when present.</summary>
    public string? VendorSpecificId { get; init; }

    /// <summary>Whether the point data matched MD5ChecksumPointData (null when the file had none).</summary>
    public bool? PointDataChecksumMatches { get; init; }

    /// <summary>Whether main.xml matched md5checksum.hex (null when the container had none).</summary>
    public bool? MainXmlChecksumMatches { get; init; }
}
