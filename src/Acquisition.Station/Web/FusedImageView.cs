namespace Acquisition.Station.Web;

/// <summary>A region's fused (all-in-focus) image under one lighting, as a page URL.</summary>
public sealed record FusedImageView(string Lighting, string Url);
