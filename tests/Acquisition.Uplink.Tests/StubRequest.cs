namespace Acquisition.Uplink.Tests;

/// <summary>A request as the stub server received it.</summary>
public sealed record StubRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, byte[] Body);
