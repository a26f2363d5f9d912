namespace Acquisition.Station.Service.Diagnostics;

/// <summary>A diagnostic that cannot run as asked (wrong state, bad parameters): answered as a 4xx problem.</summary>
public sealed class DiagnosticRefusedException(int statusCode, string title, string detail) : Exception(detail)
{
    public int StatusCode { get; } = statusCode;

    public string Title { get; } = title;
}
