namespace Acquisition.Station.Storage;

public sealed record ConfigurationValueChange(string From, string To);
