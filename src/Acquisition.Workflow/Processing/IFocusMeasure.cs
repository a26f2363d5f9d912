using Acquisition.Core.Hardware;

namespace Acquisition.Workflow.Processing;

/// <summary>A single sharpness score of a frame, for autofocus. Larger is sharper.</summary>
public interface IFocusMeasure
{
    /// <summary>The score over the measure's own default part of the frame.</summary>
    double Score(Frame frame);

    /// <summary>The score over <paramref name="window"/> only, e.g. the primer once it is centred.</summary>
    double Score(Frame frame, FocusWindow window);

    /// <summary>
    /// The score of every tile of <paramref name="window"/> split into <paramref name="columns"/> ×
    /// <paramref name="rows"/>, row by row (<see cref="FocusWindow.Tile"/>): what tells apart surfaces at different
    /// heights that one score over the window blends into a single peak between them.
    /// </summary>
    double[] ScoreTiles(Frame frame, FocusWindow window, int columns, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        var scores = new double[columns * rows];
        for (var row = 0; row < rows; row++)
        {
            for (var column = 0; column < columns; column++)
            {
                scores[(row * columns) + column] = Score(frame, window.Tile(column, row, columns, rows));
            }
        }
        return scores;
    }

    /// <summary>
    /// <see cref="Score(Frame, FocusWindow)"/> and <see cref="ScoreTiles"/> of the same frame together: a measure
    /// that derives both from one filtered image (the autofocus sweep needs both for every frame) prepares it once.
    /// </summary>
    (double Window, double[] Tiles) ScoreWithTiles(Frame frame, FocusWindow window, int columns, int rows)
        => (Score(frame, window), ScoreTiles(frame, window, columns, rows));
}
