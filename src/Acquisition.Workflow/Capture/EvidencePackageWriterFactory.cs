using Acquisition.Core.Storage;
using Acquisition.Packaging;
using Acquisition.Workflow.Calibration;

namespace Acquisition.Workflow.Capture;

/// <summary>Creates <see cref="EvidencePackageWriter"/>s that sign with the station key.</summary>
public sealed class EvidencePackageWriterFactory : ICapturePackageWriterFactory
{
    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly StationKeyStore _keys;
    private readonly CalibrationStore _calibrations;
    private readonly TimeProvider _time;
    private readonly EvidencePackageSettings _settings;

    public EvidencePackageWriterFactory(DataDirectory data, DurableFileWriter writer, StationKeyStore keys, CalibrationStore calibrations, TimeProvider time, EvidencePackageSettings settings)
    {
        _data = data;
        _writer = writer;
        _keys = keys;
        _calibrations = calibrations;
        _time = time;
        _settings = settings;
    }

    public ICapturePackageWriter Create() => new EvidencePackageWriter(_data, _writer, _keys, _calibrations, _time, _settings);
}
