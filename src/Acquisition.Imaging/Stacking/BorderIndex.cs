namespace Acquisition.Imaging.Stacking;

/// <summary>Index arithmetic for the stacker's own passes, matching OpenCV's border modes.</summary>
internal static class BorderIndex
{
    /// <summary>OpenCV's BORDER_REFLECT_101 index (…, 2, 1 | 0, 1, …, n − 1 | n − 2, …), for any overshoot.</summary>
    public static int Reflect101(int i, int n)
    {
        if (n == 1)
        {
            return 0;
        }
        while (i < 0 || i >= n)
        {
            i = i < 0 ? -i : 2 * n - 2 - i;
        }
        return i;
    }
}
