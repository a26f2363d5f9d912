using OpenCvSharp;

namespace Acquisition.Imaging.Tests.Comparison;

internal static class MaskedHeightMapTestAccess
{
    public static float[] Floats(Mat mat)
    {
        using var copy = mat.Clone();
        var result = new float[mat.Rows * mat.Cols];
        System.Runtime.InteropServices.Marshal.Copy(copy.Data, result, 0, result.Length);
        return result;
    }
}
