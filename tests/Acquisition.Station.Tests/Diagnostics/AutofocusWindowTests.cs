using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Station.Service.Diagnostics;
using Acquisition.Workflow.Calibration;
using Acquisition.Workflow.Processing;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>The service sweep's scored window, turned from micrometres into pixels before anything moves.</summary>
public sealed class AutofocusWindowTests
{
    private static readonly CameraSettings Camera = new(2448, 2048, PixelFormat.Mono8, TimeSpan.FromMilliseconds(4), 1);

    [Fact]
    public void Without_a_window_the_sweep_scores_the_central_90_percent_of_the_view()
    {
        Assert.Equal(new FocusWindow(122, 102, 2203, 1843), AutofocusSweep.WindowFor(new AutofocusRequest(), Camera, pixel: null));
    }

    [Fact]
    public void A_window_on_non_square_pixels_is_a_square_on_the_casing_and_a_rectangle_in_pixels()
    {
        var pixel = new PixelCalibration(new Micrometres(2.5), new Micrometres(2.0), 0);

        var window = AutofocusSweep.WindowFor(new AutofocusRequest(WindowMicrometres: 2670), Camera, pixel);

        Assert.Equal((1068, 1335), (window.Width, window.Height));
        Assert.Equal(((2448 - 1068) / 2, (2048 - 1335) / 2), (window.X, window.Y));
    }

    [Fact]
    public void A_window_without_a_pixel_size_calibration_is_refused_with_409_saying_what_to_run()
    {
        var refused = Assert.Throws<DiagnosticRefusedException>(() => AutofocusSweep.WindowFor(new AutofocusRequest(WindowMicrometres: 2670), Camera, pixel: null));

        Assert.Equal(409, refused.StatusCode);
        Assert.Contains("acq calibrate pixel-size", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_window_that_is_not_a_positive_size_is_refused_with_422(double side)
    {
        var pixel = new PixelCalibration(new Micrometres(2.5), new Micrometres(2.5), 0);

        var refused = Assert.Throws<DiagnosticRefusedException>(() => AutofocusSweep.WindowFor(new AutofocusRequest(WindowMicrometres: side), Camera, pixel));

        Assert.Equal(422, refused.StatusCode);
        Assert.Contains("windowMicrometres must be a positive number", refused.Message, StringComparison.Ordinal);
    }
}
