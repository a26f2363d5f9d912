namespace Acquisition.Packaging;

/// <summary>The outcome of <see cref="PackageVerifier.VerifyAsync"/>: valid only when no problem was found.</summary>
/// <param name="IsValid">True when every check passed.</param>
/// <param name="Problems">One sentence per problem, naming the file and what is wrong.</param>
public sealed record PackageVerification(bool IsValid, IReadOnlyList<string> Problems)
{
    public override string ToString() => IsValid ? "valid" : string.Join("; ", Problems);
}
