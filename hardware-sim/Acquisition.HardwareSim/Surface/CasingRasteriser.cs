using Acquisition.Imaging.X3p;
using OpenCvSharp;

namespace Acquisition.HardwareSim.Surface;

/// <summary>Rasterises a <see cref="CasingHeadModel"/> into height and albedo maps.</summary>
internal static class CasingRasteriser
{
    private const byte Background = 0;
    private const byte Chamfer = 1;
    private const byte HeadFace = 2;
    private const byte Gap = 3;
    private const byte Primer = 4;
    private const byte Crater = 5;

    public static unsafe SurfaceScene Build(string name, CasingHeadModel m, SceneExtent extent, double res)
    {
        var n = (int)Math.Ceiling(2 * extent.HalfWidthMicrometres / res) + 1;
        var ox = extent.CentreXMicrometres - extent.HalfWidthMicrometres;
        var oy = extent.CentreYMicrometres - extent.HalfWidthMicrometres;
        var size = new Size(n, n);
        var h = new Mat(size, MatType.CV_32FC1);
        var a = new Mat(size, MatType.CV_32FC1);
        using var region = new Mat(size, MatType.CV_8UC1);
        var g = m.Geometry;
        var fp = m.FiringPin;
        var headR = g.HeadRadius;
        var chamferR = headR - g.RimChamferWidthMicrometres;
        var primerR = g.PrimerRadius;
        var gapR = primerR + g.PrimerPocketGapMicrometres;
        var recess = -m.PrimerRecessMicrometres;
        const double shoulder = 120; // the flattened primer's rounded edge, µm
        const double backgroundHeight = -1500;

        nint hp = h.Data, ap = a.Data, rp = region.Data;
        long hs = h.Step(), rs = region.Step();
        Parallel.For(0, n, j =>
        {
            var hrow = (float*)(hp + (j * hs));
            var arow = (float*)(ap + (j * hs));
            var rrow = (byte*)(rp + (j * rs));
            var y = oy + (j * res);
            for (var i = 0; i < n; i++)
            {
                var x = ox + (i * res);
                var r = Math.Sqrt((x * x) + (y * y));
                double height, albedo;
                byte cls;
                if (r > headR)
                {
                    height = backgroundHeight; albedo = 0.04; cls = Background;
                }
                else if (r > chamferR)
                {
                    height = -250 * (r - chamferR) / (headR - chamferR); albedo = 0.8; cls = Chamfer;
                }
                else if (r > gapR)
                {
                    height = 0; albedo = 0.85; cls = HeadFace;
                }
                else if (r > primerR)
                {
                    height = -300; albedo = 0.12; cls = Gap;
                }
                else
                {
                    height = recess;
                    if (r > primerR - shoulder)
                    {
                        var t = (r - (primerR - shoulder)) / shoulder;
                        height -= 30 * t * t;
                    }
                    albedo = 0.8;
                    cls = Primer;
                    var crater = CraterDepth(fp, x, y);
                    if (crater > 0)
                    {
                        height -= crater;
                        cls = Crater;
                        albedo = 0.7;
                    }
                }
                hrow[i] = (float)height;
                arow[i] = (float)albedo;
                rrow[i] = cls;
            }
        });

        AddHeadstamp(m, h, region, ox, oy, res);
        AddTextures(m, h, a, region, res, n);
        if (m.BreechFaceX3pPath is not null)
        {
            LayBreechFace(m, h, region, ox, oy, res);
        }
        if (m.EjectorMark)
        {
            AddEjectorMark(h, region, ox, oy, res, headR);
        }
        return new SurfaceScene(name, h, a, res, ox, oy, m.Material, (float)backgroundHeight);
    }

    /// <summary>Depth of the firing-pin crater below the primer face at (x, y), 0 outside it.</summary>
    private static double CraterDepth(FiringPinImpression fp, double x, double y)
    {
        var dx = x - fp.OffsetXMicrometres;
        var dy = y - fp.OffsetYMicrometres;
        var rad = fp.RadiusMicrometres;
        switch (fp.Shape)
        {
            case FiringPinShape.Circular:
            {
                var d = Math.Sqrt((dx * dx) + (dy * dy));
                var wall = rad * 0.2;
                if (d >= rad) return 0;
                if (d <= rad - wall) return fp.DepthMicrometres;
                var t = (rad - d) / wall;
                return fp.DepthMicrometres * (0.5 - (0.5 * Math.Cos(Math.PI * t)));
            }
            case FiringPinShape.Rectangular:
            {
                var hx = rad * fp.Aspect;
                var hy = rad / fp.Aspect;
                var wall = Math.Min(hx, hy) * 0.25;
                var inset = Math.Min(hx - Math.Abs(dx), hy - Math.Abs(dy));
                if (inset <= 0) return 0;
                if (inset >= wall) return fp.DepthMicrometres;
                return fp.DepthMicrometres * (0.5 - (0.5 * Math.Cos(Math.PI * inset / wall)));
            }
            case FiringPinShape.Elliptical:
                dx /= fp.Aspect;
                goto default;
            default:
            {
                var q = ((dx * dx) + (dy * dy)) / (rad * rad);
                return q >= 1 ? 0 : fp.DepthMicrometres * Math.Sqrt(1 - q);
            }
        }
    }

    private static void AddHeadstamp(CasingHeadModel m, Mat h, Mat region, double ox, double oy, double res)
    {
        var g = m.Geometry;
        var inner = g.PrimerRadius + g.PrimerPocketGapMicrometres;
        var outer = g.HeadRadius - g.RimChamferWidthMicrometres;
        var ringMid = (inner + outer) / 2;
        using var mask = new Mat(h.Size(), MatType.CV_8UC1, Scalar.All(0));
        var letterPx = m.HeadstampLetterHeightMicrometres / res;
        // Hershey simplex capitals are about 22 px tall at scale 1.
        var scale = letterPx / 22.0;
        var thickness = Math.Max(1, (int)Math.Round(letterPx / 7));
        foreach (var (text, cy) in new[] { (m.HeadstampTop, -ringMid), (m.HeadstampBottom, ringMid) })
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }
            var textSize = Cv2.GetTextSize(text, HersheyFonts.HersheySimplex, scale, thickness, out _);
            // PutText draws upright in raster coordinates (row 0 at the top), the same orientation as the camera.
            var originX = ((0 - ox) / res) - (textSize.Width / 2.0);
            var baselineY = ((cy - oy) / res) + (textSize.Height / 2.0);
            Cv2.PutText(mask, text, new Point(originX, baselineY), HersheyFonts.HersheySimplex, scale, Scalar.All(255), thickness, LineTypes.AntiAlias);
        }
        using var soft = new Mat();
        mask.ConvertTo(soft, MatType.CV_32FC1, m.HeadstampReliefMicrometres / 255.0);
        Cv2.GaussianBlur(soft, soft, new Size(0, 0), Math.Max(0.5, 6 / res));
        using var onFace = new Mat();
        Cv2.Compare(region, new Scalar(HeadFace), onFace, CmpTypes.EQ);
        Cv2.Add(h, soft, h, onFace);
    }

    private static unsafe void AddTextures(CasingHeadModel m, Mat h, Mat a, Mat region, double res, int n)
    {
        var size = h.Size();
        var seed = (ulong)(uint)m.Seed * 7919UL;
        using var micro = NoiseField.Create(size, seed + 1, Math.Max(0.7, 2.5 / res));
        using var albedoNoise = NoiseField.Create(size, seed + 2, 0.5);
        using var marks = m.BreechFaceMarksRmsMicrometres > 0 ? NoiseField.Create(size, seed + 3, 8 / res) : null;
        using var stains = m.HeadFaceStainContrast > 0 ? NoiseField.Create(size, seed + 4, 20 / res) : null;
        var stainContrast = m.HeadFaceStainContrast;
        nint sp = stains?.Data ?? 0;
        nint hp = h.Data, ap = a.Data, rp = region.Data, mp = micro.Data, np = albedoNoise.Data, kp = marks?.Data ?? 0;
        long fs = h.Step(), rs = region.Step();
        var headRough = m.MicroRoughnessRmsMicrometres;
        var primerRough = m.PrimerMicroRoughnessRmsMicrometres;
        var headTex = m.HeadAlbedoTexture;
        var primerTex = m.PrimerAlbedoTexture;
        var marksRms = m.BreechFaceMarksRmsMicrometres;
        // Arched striations from the breech face's machining, on top of the granular marks.
        var strAngle = 0.35;
        var (sa, ca) = Math.SinCos(strAngle);
        var k = 2 * Math.PI / 90.0;
        Parallel.For(0, n, j =>
        {
            var hrow = (float*)(hp + (j * fs));
            var arow = (float*)(ap + (j * fs));
            var mrow = (float*)(mp + (j * fs));
            var nrow = (float*)(np + (j * fs));
            var krow = kp == 0 ? null : (float*)(kp + (j * fs));
            var srow = sp == 0 ? null : (float*)(sp + (j * fs));
            var rrow = (byte*)(rp + (j * rs));
            for (var i = 0; i < n; i++)
            {
                var cls = rrow[i];
                if (cls == Background)
                {
                    continue;
                }
                var onPrimer = cls is Primer or Crater;
                hrow[i] += (float)((onPrimer ? primerRough : headRough) * mrow[i]);
                arow[i] *= (float)(1 + ((onPrimer ? primerTex : headTex) * nrow[i]));
                if (cls == HeadFace && srow is not null)
                {
                    arow[i] *= (float)Math.Max(0.05, 1 + (stainContrast * srow[i]));
                }
                if (cls == Primer && krow is not null)
                {
                    var u = (i * ca) + (j * sa);
                    var v = (-i * sa) + (j * ca);
                    var arch = Math.Sin(k * res * (u + (0.0008 * v * v)));
                    hrow[i] += (float)(marksRms * ((0.8 * krow[i]) + (0.5 * arch)));
                }
            }
        });
    }

    private static void LayBreechFace(CasingHeadModel m, Mat h, Mat region, double ox, double oy, double res)
    {
        var doc = X3pReader.Read(m.BreechFaceX3pPath!);
        var s = doc.Surface;
        var um = s.ToMicrometresFloat32();
        using var data = new Mat(s.SizeY, s.SizeX, MatType.CV_32FC1);
        using var valid = new Mat(s.SizeY, s.SizeX, MatType.CV_32FC1);
        var validValues = new float[um.Length];
        for (var i = 0; i < um.Length; i++)
        {
            var ok = float.IsFinite(um[i]);
            validValues[i] = ok ? 1f : 0f;
            um[i] = ok ? um[i] : 0f;
        }
        data.SetArray(um);
        valid.SetArray(validValues);
        // The scan's pixel grid onto the raster: scale, rotation about the scan centre, centred on the primer centre.
        var scale = s.IncrementXMetres * 1e6 / res;
        var centre = new Point2f(s.SizeX / 2f, s.SizeY / 2f);
        using var rot = Cv2.GetRotationMatrix2D(centre, m.BreechFaceRotationDegrees, scale);
        rot.Set(0, 2, rot.At<double>(0, 2) + ((0 - ox) / res) - centre.X);
        rot.Set(1, 2, rot.At<double>(1, 2) + ((0 - oy) / res) - centre.Y);
        using var placed = new Mat();
        using var placedValid = new Mat();
        Cv2.WarpAffine(data, placed, rot, h.Size(), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        Cv2.WarpAffine(valid, placedValid, rot, h.Size(), InterpolationFlags.Linear, BorderTypes.Constant, Scalar.All(0));
        // Where the scan is valid it replaces the procedural marks: keep the model's level (its blurred form), add the scan.
        using var level = new Mat();
        Cv2.GaussianBlur(h, level, new Size(0, 0), 25 / res);
        using var onPrimer = new Mat();
        Cv2.Compare(region, new Scalar(Primer), onPrimer, CmpTypes.EQ);
        using var fullyValid = new Mat();
        Cv2.Threshold(placedValid, fullyValid, 0.999, 255, ThresholdTypes.Binary);
        using var fullyValid8 = new Mat();
        fullyValid.ConvertTo(fullyValid8, MatType.CV_8UC1);
        using var target = new Mat();
        Cv2.BitwiseAnd(onPrimer, fullyValid8, target);
        using var replaced = new Mat();
        Cv2.Add(level, placed, replaced);
        replaced.CopyTo(h, target);
    }

    private static void AddEjectorMark(Mat h, Mat region, double ox, double oy, double res, double headR)
    {
        // Near the rim at about 4:30 as the camera sees it, pressed 25 µm into the head face.
        var angle = Math.PI * 0.25;
        var rr = headR - 600;
        var cx = rr * Math.Cos(angle);
        var cy = rr * Math.Sin(angle);
        using var mark = new Mat(h.Size(), MatType.CV_32FC1, Scalar.All(0));
        var box = new RotatedRect(new Point2f((float)((cx - ox) / res), (float)((cy - oy) / res)),
            new Size2f((float)(500 / res), (float)(280 / res)), 45);
        var pts = box.Points().Select(p => new Point((int)Math.Round(p.X), (int)Math.Round(p.Y))).ToArray();
        Cv2.FillConvexPoly(mark, pts, Scalar.All(-25), LineTypes.AntiAlias);
        Cv2.GaussianBlur(mark, mark, new Size(0, 0), 8 / res);
        using var onFace = new Mat();
        Cv2.Compare(region, new Scalar(HeadFace), onFace, CmpTypes.EQ);
        Cv2.Add(h, mark, h, onFace);
    }
}
