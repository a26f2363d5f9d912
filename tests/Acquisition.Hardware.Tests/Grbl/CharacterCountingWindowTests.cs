using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class CharacterCountingWindowTests
{
    [Fact]
    public void Lines_are_sent_only_while_they_fit_GRBLs_receive_buffer()
    {
        var w = new CharacterCountingWindow(128);
        w.Sent(60);
        w.Sent(60);
        Assert.False(w.Fits(9));
        Assert.True(w.Fits(8));
        Assert.True(w.Acknowledged());
        Assert.Equal(60, w.BytesInFlight);
        Assert.True(w.Fits(68));
        Assert.False(w.Fits(69));
    }

    [Fact]
    public void Acknowledgements_free_the_oldest_line_first()
    {
        var w = new CharacterCountingWindow(128);
        w.Sent(10);
        w.Sent(50);
        w.Acknowledged();
        Assert.Equal(50, w.BytesInFlight);
        Assert.Equal(1, w.LinesInFlight);
    }

    [Fact]
    public void An_ok_with_nothing_in_flight_is_reported_and_a_reset_empties_the_window()
    {
        var w = new CharacterCountingWindow(128);
        Assert.False(w.Acknowledged());
        w.Sent(100);
        w.Clear();
        Assert.Equal(0, w.BytesInFlight);
        Assert.Throws<ArgumentOutOfRangeException>(() => w.Sent(129));
    }
}
