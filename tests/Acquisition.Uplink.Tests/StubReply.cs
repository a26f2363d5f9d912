namespace Acquisition.Uplink.Tests;

/// <summary>What the stub answers. <see cref="DeclaredLength"/> larger than the body, then a close, makes a truncated
/// answer; <see cref="Stall"/> sends the head and part of the body and then nothing until the client gives up.</summary>
public sealed record StubReply(int Status, IReadOnlyDictionary<string, string>? Headers = null, byte[]? Body = null, long? DeclaredLength = null, bool Stall = false)
{
    public static StubReply Error(int status, string code, string message, params (string, string)[] headers) =>
        new(status, headers.ToDictionary(h => h.Item1, h => h.Item2).Append(new("Content-Type", "application/json")).ToDictionary(),
            System.Text.Encoding.UTF8.GetBytes($$"""{"errors":[{"code":"{{code}}","message":"{{message}}"}]}"""));
}
