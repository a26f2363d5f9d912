using Acquisition.Core.Storage;
using Acquisition.Packaging;

namespace Acquisition.Workflow.Capture;

/// <summary>Creates <see cref="EvidencePackageWriter"/>s that sign with the station key.</summary>
public sealed class EvidencePackageWriterFactory : ICapturePackageWriterFactory
{
    private readonly DataDirectory _data;
    private readonly DurableFileWriter _writer;
    private readonly StationKeyStore _keys;
    private readonly TimeProvider _time;
    private readonly EvidencePackageSettings _settings;

    public EvidencePackageWriterFactory(DataDirectory data, DurableFileWriter writer, StationKeyStore keys, TimeProvider time, EvidencePackageSettings settings)
    {
        _data = data;
        _writer = writer;
        _keys = keys;
        _time = time;
        _settings = settings;
    }

    public ICapturePackageWriter Create() => new EvidencePackageWriter(_data, _writer, _keys, _time, _settings);
}
