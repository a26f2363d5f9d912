namespace Acquisition.Uplink;

public sealed class NoCheckpoints : IUplinkCheckpoints
{
    public static readonly NoCheckpoints Instance = new();

    public void Reached(string checkpoint)
    {
    }
}
