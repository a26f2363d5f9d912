namespace Acquisition.Workflow.Processing;

/// <summary>The part of a frame a focus score is taken over, in pixels (left, top, width, height).</summary>
public readonly record struct FocusWindow(int X, int Y, int Width, int Height)
{
    /// <summary>
    /// A window of the given size centred on the frame, cut to the frame. Width and height are given separately
    /// because a square on the casing is a rectangle in pixels when the pixel is not square.
    /// </summary>
    public static FocusWindow Centred(int frameWidth, int frameHeight, int widthPixels, int heightPixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameHeight);
        var w = Math.Clamp(widthPixels, 1, frameWidth);
        var h = Math.Clamp(heightPixels, 1, frameHeight);
        return new FocusWindow((frameWidth - w) / 2, (frameHeight - h) / 2, w, h);
    }

    /// <summary>This window cut to a frame of the given size (empty when they do not overlap).</summary>
    public FocusWindow Within(int frameWidth, int frameHeight)
    {
        var x0 = Math.Max(X, 0);
        var y0 = Math.Max(Y, 0);
        var x1 = Math.Min((long)X + Width, frameWidth);
        var y1 = Math.Min((long)Y + Height, frameHeight);
        return new FocusWindow(x0, y0, (int)Math.Max(0, x1 - x0), (int)Math.Max(0, y1 - y0));
    }

    /// <summary>
    /// Tile (<paramref name="column"/>, <paramref name="row"/>) of this window split into a grid of
    /// <paramref name="columns"/> × <paramref name="rows"/>; the tiles cover the window without gaps or overlap.
    /// </summary>
    public FocusWindow Tile(int column, int row, int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, columns);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, rows);
        var x0 = X + (int)((long)Width * column / columns);
        var x1 = X + (int)((long)Width * (column + 1) / columns);
        var y0 = Y + (int)((long)Height * row / rows);
        var y1 = Y + (int)((long)Height * (row + 1) / rows);
        return new FocusWindow(x0, y0, x1 - x0, y1 - y0);
    }
}
