using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Workflow.Tests.Fakes;

internal sealed class FakePackageWriter : ICapturePackageWriter, ICapturePackageWriterFactory
{
    public int Created { get; private set; }
    public string? CaptureId { get; private set; }
    public List<RegionOutput> Regions { get; } = [];
    public int RawFrames { get; private set; }
    public CaptureRecord? Sealed { get; private set; }
    public bool Abandoned { get; private set; }

    public ICapturePackageWriter Create()
    {
        Created++;
        return this;
    }

    public Task BeginAsync(string captureId, CaseContext caseContext, CancellationToken cancellationToken)
    {
        CaptureId = captureId;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> WriteRegionAsync(RegionOutput output, CancellationToken cancellationToken)
    {
        Regions.Add(output);
        return Task.FromResult<IReadOnlyList<string>>([$"regions/{output.Recipe.Region}/height.x3p"]);
    }

    public Task<string> WriteRawFrameAsync(Region region, int attempt, int slice, string lighting, Frame frame, DateTimeOffset exposureStart, Micrometres z, CancellationToken cancellationToken)
    {
        RawFrames++;
        return Task.FromResult($"raw/{region}/{slice}-{lighting}.png");
    }

    public Task<string> SealAsync(CaptureRecord record, CancellationToken cancellationToken)
    {
        Sealed = record;
        return Task.FromResult("/data/packages/" + record.CaptureId);
    }

    public void Abandon() => Abandoned = true;
}
