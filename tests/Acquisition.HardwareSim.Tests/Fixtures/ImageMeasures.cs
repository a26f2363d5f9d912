using OpenCvSharp;

namespace Acquisition.HardwareSim.Tests.Fixtures;

/// <summary>Image measurements the camera tests share (all on CV_32FC1 images).</summary>
internal static class ImageMeasures
{
    /// <summary>Per-pixel focus measure: squared Laplacian averaged over a 9×9 window.</summary>
    public static Mat Sharpness(Mat image)
    {
        var lap = new Mat();
        Cv2.Laplacian(image, lap, MatType.CV_32F, 1);
        Cv2.Multiply(lap, lap, lap);
        Cv2.BoxFilter(lap, lap, MatType.CV_32F, new Size(9, 9));
        return lap;
    }

    public static double VarianceOfLaplacian(Mat image)
    {
        using var lap = new Mat();
        Cv2.Laplacian(image, lap, MatType.CV_32F, 1);
        Cv2.MeanStdDev(lap, out _, out var std);
        return std.Val0 * std.Val0;
    }

    /// <summary>Centroids of dark blobs (dots) of a bright target, ignoring ones cut by the border.</summary>
    public static List<Point2d> DarkBlobCentroids(Mat image, int minArea = 20)
    {
        using var bin = new Mat();
        Cv2.MeanStdDev(image, out var mean, out _);
        Cv2.Threshold(image, bin, mean.Val0 * 0.5, 255, ThresholdTypes.BinaryInv);
        using var bin8 = new Mat();
        bin.ConvertTo(bin8, MatType.CV_8UC1);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var n = Cv2.ConnectedComponentsWithStats(bin8, labels, stats, centroids);
        var result = new List<Point2d>();
        for (var i = 1; i < n; i++)
        {
            var x = stats.At<int>(i, 0);
            var y = stats.At<int>(i, 1);
            var w = stats.At<int>(i, 2);
            var h = stats.At<int>(i, 3);
            var area = stats.At<int>(i, 4);
            if (area < minArea || x <= 0 || y <= 0 || x + w >= image.Cols || y + h >= image.Rows)
            {
                continue;
            }
            result.Add(new Point2d(centroids.At<double>(i, 0), centroids.At<double>(i, 1)));
        }
        return result;
    }

    /// <summary>Mean nearest right-hand neighbour vector of a lattice of points: (pitch in px, row angle in degrees, counter-clockwise as displayed).</summary>
    public static (double Pitch, double AngleDegrees) LatticeRow(List<Point2d> points)
    {
        var vectors = new List<Point2d>();
        foreach (var p in points)
        {
            var best = points.Where(q => q.X - p.X > 0 && Math.Abs(q.Y - p.Y) < (q.X - p.X))
                .OrderBy(q => ((q.X - p.X) * (q.X - p.X)) + ((q.Y - p.Y) * (q.Y - p.Y)))
                .Select(q => (Point2d?)q).FirstOrDefault();
            if (best is { } b)
            {
                vectors.Add(new Point2d(b.X - p.X, b.Y - p.Y));
            }
        }
        var mx = vectors.Average(v => v.X);
        var my = vectors.Average(v => v.Y);
        return (Math.Sqrt((mx * mx) + (my * my)), Math.Atan2(-my, mx) * 180 / Math.PI);
    }

    public static string RepositoryFile(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Acquisition.sln")))
        {
            dir = dir.Parent;
        }
        return Path.Combine([dir!.FullName, .. parts]);
    }

    /// <summary>A Fadul scan: ../shared when present, else the attributed copy in the imaging tests' fixtures.</summary>
    public static string Fadul(string name)
    {
        var shared = RepositoryFile("..", "shared", "data", "x3p", name);
        return File.Exists(shared) ? shared : RepositoryFile("tests", "Acquisition.Imaging.Tests", "X3pFixtures", name);
    }
}
