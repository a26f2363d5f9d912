namespace Acquisition.Station.Web;

/// <summary>Check-digit verification for scanned barcodes.</summary>
public static class CheckDigits
{
    public static bool IsValid(string value, CheckDigitScheme scheme) => scheme switch
    {
        CheckDigitScheme.None => true,
        CheckDigitScheme.Luhn => Luhn(value),
        CheckDigitScheme.Iso7064Mod97 => Mod97(value),
        _ => false,
    };

    private static bool Luhn(string value)
    {
        var digits = value.Where(char.IsAsciiDigit).ToArray();
        if (digits.Length < 2)
        {
            return false;
        }
        var sum = 0;
        var doubleIt = false;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            sum += d;
            doubleIt = !doubleIt;
        }
        return sum % 10 == 0;
    }

    private static bool Mod97(string value)
    {
        var remainder = 0;
        var count = 0;
        foreach (var ch in value.ToUpperInvariant())
        {
            int v;
            if (char.IsAsciiDigit(ch))
            {
                v = ch - '0';
                remainder = (remainder * 10 + v) % 97;
            }
            else if (char.IsAsciiLetterUpper(ch))
            {
                v = ch - 'A' + 10;
                remainder = (remainder * 100 + v) % 97;
            }
            else
            {
                continue; // separators such as '-' are not part of the checked value
            }
            count++;
        }
        return count >= 3 && remainder == 1;
    }
}
