using Acquisition.Station.Web;

namespace Acquisition.WebUi.Tests;

public sealed class CheckDigitAndPinTests
{
    [Theory]
    [InlineData("79927398713", true)] // the textbook Luhn example
    [InlineData("79927398710", false)]
    [InlineData("2026-001236", true)]
    [InlineData("2026-001237", false)]
    public void Luhn_accepts_only_a_correct_check_digit(string value, bool valid) =>
        Assert.Equal(valid, CheckDigits.IsValid(value, CheckDigitScheme.Luhn));

    [Theory]
    [InlineData("GB82WEST12345698765432", false)] // IBAN order; ISO 7064 applies after the rearrangement below
    [InlineData("WEST12345698765432GB82", true)]
    [InlineData("WEST12345698765432GB83", false)]
    public void Iso7064_mod97_10_accepts_only_a_correct_check_pair(string value, bool valid) =>
        Assert.Equal(valid, CheckDigits.IsValid(value, CheckDigitScheme.Iso7064Mod97));

    [Fact]
    public void A_pin_hash_verifies_its_pin_only_and_is_salted()
    {
        var a = PinHasher.Hash("1234");
        var b = PinHasher.Hash("1234");
        Assert.NotEqual(a, b);
        Assert.StartsWith("pbkdf2-sha256$", a);
        Assert.True(PinHasher.Verify("1234", a));
        Assert.False(PinHasher.Verify("1235", a));
    }

    [Fact]
    public void A_malformed_pin_hash_is_reported_not_accepted() =>
        Assert.Throws<FormatException>(() => PinHasher.Verify("1234", "plain-text-pin"));
}
