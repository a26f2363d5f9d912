using System.Globalization;
using Acquisition.Core.Units;

namespace Acquisition.Core.Hardware;

/// <summary>A stage position in machine coordinates, micrometres.</summary>
public readonly record struct StagePosition(Micrometres X, Micrometres Y, Micrometres Z)
{
    public static StagePosition Origin => new(Micrometres.Zero, Micrometres.Zero, Micrometres.Zero);

    public static StagePosition FromMicrometres(double x, double y, double z) => new(new(x), new(y), new(z));

    public Micrometres this[Axis axis] => axis switch
    {
        Axis.X => X,
        Axis.Y => Y,
        Axis.Z => Z,
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    public StagePosition With(Axis axis, Micrometres value) => axis switch
    {
        Axis.X => this with { X = value },
        Axis.Y => this with { Y = value },
        Axis.Z => this with { Z = value },
        _ => throw new ArgumentOutOfRangeException(nameof(axis)),
    };

    public StagePosition Offset(Micrometres dx, Micrometres dy, Micrometres dz) => new(X + dx, Y + dy, Z + dz);

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture, $"X={X.Value:0.###} Y={Y.Value:0.###} Z={Z.Value:0.###} µm");
}
