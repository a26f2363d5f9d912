namespace Acquisition.Station.Web;

/// <summary>One technician account in the operators file.</summary>
public sealed record OperatorAccount(string Id, string Name, string PinHash, bool Disabled = false);
