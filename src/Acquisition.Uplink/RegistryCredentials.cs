namespace Acquisition.Uplink;

/// <summary>Credentials for one registry. ToString never reveals them.</summary>
public sealed class RegistryCredentials
{
    public RegistryCredentials(string? basicUser = null, string? basicPassword = null, string? bearerToken = null)
    {
        BasicUser = basicUser;
        BasicPassword = basicPassword;
        BearerToken = bearerToken;
    }

    public string? BasicUser { get; }
    public string? BasicPassword { get; }
    public string? BearerToken { get; }
    public bool HasBasic => BasicUser is not null && BasicPassword is not null;

    public override string ToString() => $"RegistryCredentials(basic={(HasBasic ? "set" : "none")}, bearer={(BearerToken is null ? "none" : "set")})";
}
