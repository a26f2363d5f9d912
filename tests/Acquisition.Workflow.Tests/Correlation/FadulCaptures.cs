using Acquisition.HardwareSim.Surface;
using Acquisition.Imaging.Comparison;
using Acquisition.Imaging.X3p;

namespace Acquisition.Workflow.Tests.Correlation;

/// <summary>
/// Three simulated 9 mm casings whose breech faces carry the reference scans Fadul 1-1 and 1-2 (fired by the same
/// slide) and 2-1 (a different slide), each captured once through the station's pipeline, on first use, and shared by
/// the correlation tests. Each casing has its own seed (its own procedural primer texture and noise), as different
/// casings would.
/// </summary>
public sealed class FadulCaptures
{
    public static readonly string[] Names = ["Fadul_1-1", "Fadul_1-2", "Fadul_2-1"];

    private readonly Lazy<Task<IReadOnlyDictionary<string, BreechFaceCapture>>> _captures = new(CaptureAllAsync);

    /// <summary>The reference scan itself (the true surface, 6.25 µm).</summary>
    public static MaskedHeightMap Scan(string name) => MaskedHeightMap.FromX3p(X3pReader.Read(ReferenceScans.Path(name + ".x3p")).Surface);

    internal Task<IReadOnlyDictionary<string, BreechFaceCapture>> AllAsync() => _captures.Value;

    private static async Task<IReadOnlyDictionary<string, BreechFaceCapture>> CaptureAllAsync()
    {
        var captures = new Dictionary<string, BreechFaceCapture>(StringComparer.Ordinal);
        var seed = 11;
        foreach (var name in Names)
        {
            var casing = new CasingHeadModel { Seed = seed++, BreechFaceX3pPath = ReferenceScans.Path(name + ".x3p") };
            captures[name] = await BreechFaceCapture.RunAsync(BreechFaceCapture.Camera(BreechFaceCapture.SensorPixels), casing, pressButton: false,
                null, CancellationToken.None);
        }
        return captures;
    }

    internal static string Describe(string name, BreechFaceCapture capture) =>
        $"{name}: captured in {capture.WallTime.TotalSeconds:0} s wall; {capture.Outcome.Timing}; stage reported − true {capture.ReportedMinusTrueStageMicrometres.X:0.0}, {capture.ReportedMinusTrueStageMicrometres.Y:0.0} µm";
}
