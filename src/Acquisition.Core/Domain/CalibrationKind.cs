namespace Acquisition.Core.Domain;

public enum CalibrationKind
{
    PixelSize,
    FlatField,
    ZScale,
    Lights,
    Reference,
}
