using System.Globalization;

namespace Acquisition.Core.Units;

/// <summary>A length in micrometres: the unit of stage positions, heights and pixel sizes on the station.</summary>
public readonly record struct Micrometres(double Value) : IComparable<Micrometres>
{
    public static Micrometres Zero => new(0);

    public static Micrometres FromMillimetres(double mm) => new(mm * 1000.0);

    public double Millimetres => Value / 1000.0;

    public static Micrometres operator +(Micrometres a, Micrometres b) => new(a.Value + b.Value);
    public static Micrometres operator -(Micrometres a, Micrometres b) => new(a.Value - b.Value);
    public static Micrometres operator -(Micrometres a) => new(-a.Value);
    public static Micrometres operator *(Micrometres a, double k) => new(a.Value * k);
    public static Micrometres operator /(Micrometres a, double k) => new(a.Value / k);
    public static bool operator <(Micrometres a, Micrometres b) => a.Value < b.Value;
    public static bool operator >(Micrometres a, Micrometres b) => a.Value > b.Value;
    public static bool operator <=(Micrometres a, Micrometres b) => a.Value <= b.Value;
    public static bool operator >=(Micrometres a, Micrometres b) => a.Value >= b.Value;

    public Micrometres Abs() => new(Math.Abs(Value));

    public int CompareTo(Micrometres other) => Value.CompareTo(other.Value);

    // Invariant culture: these strings end up in logs, G-code and files read by other machines.
    public override string ToString() => Value.ToString("0.###", CultureInfo.InvariantCulture) + " µm";
}
