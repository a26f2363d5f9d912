using Acquisition.Core.Hardware;
using Acquisition.Station.Web;
using OpenCvSharp;

namespace Acquisition.WebUi.Tests;

/// <summary>The live-view frame: real OpenCV, real JPEG decode.</summary>
public sealed class LiveViewRenderTests
{
    private static Frame Checkerboard(int width, int height, PixelFormat format, int cell)
    {
        var bpp = Frame.BytesPerPixelOf(format);
        var data = new byte[width * height * bpp];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var bright = ((x / cell) + (y / cell)) % 2 == 0;
                var i = (y * width + x) * bpp;
                if (bpp == 1)
                {
                    data[i] = bright ? (byte)220 : (byte)30;
                }
                else
                {
                    var v = bright ? (ushort)3500 : (ushort)400; // 12-bit range
                    data[i] = (byte)v;
                    data[i + 1] = (byte)(v >> 8);
                }
            }
        }
        return new Frame(width, height, format, data, 1, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public void A_full_sensor_frame_is_scaled_to_the_width_cap_and_keeps_its_aspect()
    {
        var jpeg = LiveView.Render(Checkerboard(2448, 2048, PixelFormat.Mono12, 64), null, 1024);
        using var image = Cv2.ImDecode(jpeg, ImreadModes.Color);
        Assert.Equal(1024, image.Width);
        Assert.Equal((int)(2048 * 1024.0 / 2448), image.Height);
    }

    [Fact]
    public void A_sharp_frame_draws_a_taller_focus_bar_than_a_flat_one()
    {
        static int BarHeight(Frame frame)
        {
            using var image = Cv2.ImDecode(LiveView.Render(frame, null, 1024), ImreadModes.Color);
            var column = image.Width - 10;
            var count = 0;
            var height = image.Height;
            for (var y = 0; y < height; y++)
            {
                var px = image.At<Vec3b>(y, column);
                if (px.Item0 < 80 && px.Item1 > 150 && px.Item2 > 200)
                {
                    count++; // the orange-yellow bar (BGR 0,200,255)
                }
            }
            return count;
        }
        var sharp = BarHeight(Checkerboard(640, 480, PixelFormat.Mono8, 4));
        var flat = BarHeight(Checkerboard(640, 480, PixelFormat.Mono8, 100_000));
        Assert.True(sharp > flat + 50, $"focus bar: sharp {sharp} px, flat {flat} px");
    }
}
