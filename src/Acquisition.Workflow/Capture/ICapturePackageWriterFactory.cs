namespace Acquisition.Workflow.Capture;

/// <summary>One writer per capture.</summary>
public interface ICapturePackageWriterFactory
{
    ICapturePackageWriter Create();
}
