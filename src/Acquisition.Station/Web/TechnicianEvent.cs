namespace Acquisition.Station.Web;

/// <summary>One server-sent event to the page: <paramref name="Kind"/> is the SSE event name ("progress", "scan").</summary>
public sealed record TechnicianEvent(string Kind, object Data);
