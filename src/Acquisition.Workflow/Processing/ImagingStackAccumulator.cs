using System.Runtime.InteropServices;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Imaging.Stacking;
using OpenCvSharp;

namespace Acquisition.Workflow.Processing;

/// <summary>
/// One <see cref="StreamingFocusStacker"/> per lighting, fed as frames arrive. Each lighting yields its fused image;
/// the height map combines them per pixel, weighting each lighting's peak by its confidence, because a mark that one
/// light leaves flat another often shows (and where only one lighting found a clear peak, that one is used).
/// </summary>
public sealed class ImagingStackAccumulator : IStackAccumulator
{
    private readonly IReadOnlyList<string> _lightings;
    private readonly StreamingFocusStacker[] _stackers;
    private readonly FocusStackerOptions _registration;

    public ImagingStackAccumulator(IReadOnlyList<string> lightings, Func<FocusStackerOptions> options)
    {
        _lightings = lightings;
        _stackers = lightings.Select(_ => new StreamingFocusStacker(options())).ToArray();
        // Every lighting gets the same settings; kept to report the registration scale and crop actually used.
        _registration = options();
    }

    public void Add(int lightingIndex, Frame frame, Micrometres z)
    {
        try
        {
            _stackers[lightingIndex].Add(frame, z);
        }
        catch (RegistrationFailedException ex)
        {
            // Registration failure is a stack failure the sequence reports, not a programming error.
            throw new InvalidOperationException($"lighting '{_lightings[lightingIndex]}': {ex.Message}", ex);
        }
    }

    public RegionStackResult Complete()
    {
        var results = new List<FocusStackResult>();
        try
        {
            foreach (var s in _stackers)
            {
                results.Add(s.Complete());
            }
            var first = results[0];
            int w = first.HeightMapMicrometres.Width, h = first.HeightMapMicrometres.Height;
            var n = w * h;
            var heights = new float[n];
            var confidence = new float[n];
            var sumWeighted = new double[n];
            var sumWeights = new double[n];
            var maxConfidence = new float[n];
            var hBuf = new float[n];
            var cBuf = new float[n];
            foreach (var r in results)
            {
                CopyFloat(r.HeightMapMicrometres, hBuf);
                CopyFloat(r.Confidence, cBuf);
                for (var i = 0; i < n; i++)
                {
                    if (float.IsFinite(hBuf[i]))
                    {
                        var weight = Math.Max(cBuf[i], 1e-3f);
                        sumWeighted[i] += weight * hBuf[i];
                        sumWeights[i] += weight;
                        maxConfidence[i] = Math.Max(maxConfidence[i], cBuf[i]);
                    }
                }
            }
            for (var i = 0; i < n; i++)
            {
                heights[i] = sumWeights[i] > 0 ? (float)(sumWeighted[i] / sumWeights[i]) : float.NaN;
                confidence[i] = sumWeights[i] > 0 ? maxConfidence[i] : 0;
            }
            var fused = results.Select((r, k) => new FusedImage(_lightings[k], r.FusedImage.Width, r.FusedImage.Height, CopyUShort(r.FusedImage))).ToList();
            var residual = results.Max(r => r.Statistics.RegistrationResidualRmsPixels);
            var noise = results.Max(r => r.Statistics.NoiseSigmaFullScale);
            var held = results.Sum(r => r.Statistics.HeldRegistrations);
            var (frameWidth, frameHeight) = (first.FusedImage.Width, first.FusedImage.Height);
            return new RegionStackResult(fused, w, h, heights, confidence, residual, noise, held,
                _registration.EffectiveRegistrationDownscale(frameWidth, frameHeight), _registration.EffectiveRegistrationCropPixels(frameWidth, frameHeight));
        }
        catch (RegistrationFailedException ex)
        {
            throw new InvalidOperationException(ex.Message, ex);
        }
        finally
        {
            foreach (var r in results)
            {
                r.Dispose();
            }
        }
    }

    private static void CopyFloat(Mat mat, float[] destination)
    {
        using var continuous = mat.Clone();
        Marshal.Copy(continuous.Data, destination, 0, destination.Length);
    }

    private static ushort[] CopyUShort(Mat mat)
    {
        using var continuous = mat.Clone();
        var result = new ushort[mat.Width * mat.Height];
        var shorts = new short[result.Length];
        Marshal.Copy(continuous.Data, shorts, 0, shorts.Length);
        Buffer.BlockCopy(shorts, 0, result, 0, result.Length * 2);
        return result;
    }

    public void Dispose()
    {
        foreach (var s in _stackers)
        {
            s.Dispose();
        }
    }
}
