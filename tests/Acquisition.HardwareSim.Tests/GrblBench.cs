using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

/// <summary>A virtual clock, a GRBL controller on a pty and a real SerialPort session on it.</summary>
internal sealed class GrblBench : IDisposable
{
    public GrblBench(GrblOptions? options = null)
    {
        Clock = new SimulationClock();
        Host = new GrblPtyHost(Clock, options ?? new GrblOptions());
        Serial = new SerialSession(Host.PortPath, Clock)
        {
            DescribeSimulator = () => $"controller {Grbl.State}",
        };
    }

    public SimulationClock Clock { get; }
    public GrblPtyHost Host { get; }
    public GrblController Grbl => Host.Controller;
    public SerialSession Serial { get; }

    /// <summary>Waits for the power-up banner (and the alarm-lock message that follows it when homing is enabled).</summary>
    public async Task BannerAsync()
    {
        await Serial.BannerAsync();
        if (Grbl.Settings.HomingEnabled)
        {
            Assert.Equal("[MSG:'$H'|'$X' to unlock]", await Serial.NextLineAsync());
        }
    }

    /// <summary>Waits for the power-up banner, homes and leaves the machine Idle at the pulled-off origin.</summary>
    public async Task HomedAsync()
    {
        await BannerAsync();
        Assert.Equal(["ok"], await Serial.CommandAsync("$H"));
    }

    /// <summary>Waits for the banner and unlocks without homing.</summary>
    public async Task UnlockedAsync()
    {
        await BannerAsync();
        var lines = await Serial.CommandAsync("$X");
        Assert.Equal("ok", lines[^1]);
    }

    /// <summary>
    /// Sends a command, expects its ok, and returns holding the clock <paramref name="after"/> later in simulated
    /// time: act (open the door, reset, cancel) inside the using block, at exactly that moment.
    /// </summary>
    public async Task<IDisposable> CommandThenHoldAtAsync(string command, TimeSpan after)
    {
        var lease = Clock.Busy();
        Task<IDisposable> at;
        try
        {
            Assert.Equal(["ok"], await Serial.CommandAsync(command));
            at = Clock.DelayThenHoldAsync(after, CancellationToken.None);
        }
        finally
        {
            lease.Dispose();
        }
        return await at.WaitAsync(SerialSession.Guard);
    }

    public void Dispose()
    {
        Serial.Dispose();
        Host.Dispose();
        Clock.Dispose();
    }
}
