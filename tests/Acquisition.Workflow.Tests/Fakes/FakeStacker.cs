using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Processing;
using Acquisition.Workflow.Recipes;

namespace Acquisition.Workflow.Tests.Fakes;

/// <summary>
/// Produces a result whose valid fraction and grey level the test chooses per attempt, so QC paths can be driven.
/// Heights span ±10 µm so the depth check passes unless the test asks otherwise.
/// </summary>
internal sealed class FakeStacker : IStackAccumulatorFactory
{
    public Func<RegionRecipe, int, (double ValidFraction, int Level)> Plan { get; set; } = (_, _) => (1.0, 20000);
    public Dictionary<Acquisition.Core.Domain.Region, int> Attempts { get; } = [];
    public List<(int Lighting, Micrometres Z)> Added { get; } = [];
    public List<Acquisition.Imaging.Stacking.MagnificationModel> Magnifications { get; } = [];

    /// <summary>What <see cref="CannotStack"/> answers for every region (null: it can).</summary>
    public string? Refusal { get; set; }

    public string? CannotStack(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel) => Refusal;

    /// <summary>Runs before each stacker is created; a test may throw from it.</summary>
    public Action<RegionRecipe>? BeforeCreate { get; set; }

    public IStackAccumulator Create(RegionRecipe region, CalibreEntry calibre, int frameWidth, int frameHeight, PixelCalibration pixel, Acquisition.Imaging.Stacking.MagnificationModel magnification)
    {
        BeforeCreate?.Invoke(region);
        Attempts[region.Region] = Attempts.GetValueOrDefault(region.Region) + 1;
        Magnifications.Add(magnification);
        return new Accumulator(this, region, Attempts[region.Region], frameWidth, frameHeight);
    }

    private sealed class Accumulator(FakeStacker owner, RegionRecipe region, int attempt, int width, int height) : IStackAccumulator
    {
        public void Add(int lightingIndex, Frame frame, Micrometres z)
        {
            lock (owner.Added)
            {
                owner.Added.Add((lightingIndex, z));
            }
        }

        public RegionStackResult Complete()
        {
            var (valid, level) = owner.Plan(region, attempt);
            var n = width * height;
            var heights = new float[n];
            var confidence = new float[n];
            for (var i = 0; i < n; i++)
            {
                var isValid = (i % 1000) < valid * 1000;
                heights[i] = isValid ? (float)((((i * 7) % 41) - 20) * 1.5) : float.NaN;
                confidence[i] = isValid ? 10 : 0;
            }
            var fused = region.Lightings.Select(l => new FusedImage(l.Name, width, height, Enumerable.Repeat((ushort)level, n).ToArray())).ToList();
            return new RegionStackResult(fused, width, height, heights, confidence, 0.05, 0.01);
        }

        public void Dispose()
        {
        }
    }
}
