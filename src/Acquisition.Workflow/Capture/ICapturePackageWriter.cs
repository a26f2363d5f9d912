using Acquisition.Core.Domain;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Workflow.Capture.Record;

namespace Acquisition.Workflow.Capture;

/// <summary>
/// Writes one capture's evidence package. The sequence calls <see cref="BeginAsync"/> once the capture really starts,
/// adds files as they are produced, and seals even a failed or aborted capture (marked so) to keep it for review.
/// </summary>
public interface ICapturePackageWriter
{
    Task BeginAsync(string captureId, CaseContext caseContext, CancellationToken cancellationToken);

    /// <summary>Writes the region's files; returns their package-relative paths.</summary>
    Task<IReadOnlyList<string>> WriteRegionAsync(RegionOutput output, CancellationToken cancellationToken);

    /// <summary>
    /// Writes one raw frame of a stack (only when raw stacks are kept); returns its package-relative path.
    /// <paramref name="exposureStart"/> is the frame's exposure start on the station's clock (the one every package
    /// timestamp uses), which differs from <see cref="Frame.ExposureStart"/> when the devices run on a simulator's clock.
    /// </summary>
    Task<string> WriteRawFrameAsync(Region region, int attempt, int slice, string lighting, Frame frame, DateTimeOffset exposureStart, Micrometres z, CancellationToken cancellationToken);

    /// <summary>Seals the package with <paramref name="record"/> as capture.json; returns the sealed package's path.</summary>
    Task<string> SealAsync(CaptureRecord record, CancellationToken cancellationToken);

    /// <summary>After <see cref="SealAsync"/>: set when the package is sealed but its directory sync failed (for the log).</summary>
    string? DurabilityWarning => null;

    /// <summary>Gives up on a package that cannot be sealed; whatever was staged stays for forensics.</summary>
    void Abandon();
}
