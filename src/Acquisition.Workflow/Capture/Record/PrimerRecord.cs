namespace Acquisition.Workflow.Capture.Record;

/// <summary>Where the primer was found and how well the stage was centred on it.</summary>
public sealed record PrimerRecord(
    double StageXMicrometres,
    double StageYMicrometres,
    double DiameterMicrometres,
    double ExpectedDiameterMicrometres,
    double ResidualOffsetMicrometres,
    int Iterations);
