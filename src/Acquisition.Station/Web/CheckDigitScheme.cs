namespace Acquisition.Station.Web;

/// <summary>Check-digit algorithms a lab's barcode format may use.</summary>
public enum CheckDigitScheme
{
    None,

    /// <summary>Luhn mod 10 over the digits; the last digit is the check digit.</summary>
    Luhn,

    /// <summary>ISO 7064 MOD 97-10 over digits and letters (A=10 … Z=35), as IBAN uses: the whole value ≡ 1 (mod 97).</summary>
    Iso7064Mod97,
}
