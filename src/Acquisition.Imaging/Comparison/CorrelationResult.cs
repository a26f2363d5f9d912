namespace Acquisition.Imaging.Comparison;

/// <summary>
/// The best alignment of a moving surface onto a reference. <see cref="RotationDegrees"/> is the rotation applied to
/// the moving surface about its centre (counter-clockwise as displayed, image y down; in (−180°, 180°]);
/// <see cref="ShiftXMicrometres"/>/<see cref="ShiftYMicrometres"/> is where its centre then lies relative to the
/// reference's centre (x right, y down).
/// </summary>
public sealed record CorrelationResult(
    double Ccf,
    double RotationDegrees,
    double ShiftXMicrometres,
    double ShiftYMicrometres,
    double OverlapFraction,
    int OverlapPoints,
    int AnglesEvaluated);
