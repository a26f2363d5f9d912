using Acquisition.HardwareSim.Clock;
using Acquisition.Hardware.Light;

namespace Acquisition.Hardware.Tests.Light;

public sealed class Pca9685Tests : IDisposable
{
    private readonly RecordingI2cDevice _device = new() { ReadValue = Pca9685.Mode1AutoIncrement | Pca9685.Mode1AllCall };
    private readonly SimulationClock _clock = new(); // virtual, advancing once every party waits

    public void Dispose() => _clock.Dispose();

    [Fact]
    public async Task Restart_is_written_only_after_the_oscillator_start_up_on_the_injected_clock()
    {
        using var manual = new SimulationClock(new SimulationClockOptions { AutoAdvance = false });
        var start = manual.GetUtcNow();
        var construct = Task.Run(() => new Pca9685(_device, 1000, timeProvider: manual));
        // The constructor blocks on the clock's timer after waking the chip (no wall-clock wait, no spin on Stopwatch).
        Assert.True(SpinWait.SpinUntil(() => manual.PendingTimerCount == 1, TimeSpan.FromSeconds(30)));
        manual.Advance(Pca9685.OscillatorStartup - TimeSpan.FromTicks(1));
        Assert.False(construct.IsCompleted);
        Assert.Equal(1, manual.PendingTimerCount);
        manual.Advance(TimeSpan.FromTicks(1));
        // SetFrequency clears SLEEP and waits again before RESTART.
        Assert.True(SpinWait.SpinUntil(() => manual.PendingTimerCount == 1 || construct.IsCompleted, TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain(Writes, w => w is [Pca9685.Mode1, var m] && (m & Pca9685.Mode1Restart) != 0);
        manual.Advance(Pca9685.OscillatorStartup);
        var chip = await construct.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Contains(Writes, w => w is [Pca9685.Mode1, var m] && (m & Pca9685.Mode1Restart) != 0);
        Assert.Equal(2 * Pca9685.OscillatorStartup, manual.GetUtcNow() - start);
        chip.Dispose();
    }

    private List<byte[]> Writes => _device.Writes;

    [Theory]
    [InlineData(1526, 3)]
    [InlineData(1000, 5)]
    [InlineData(200, 30)]
    [InlineData(24, 253)]
    public void Prescale_follows_the_datasheet_formula(double hertz, byte prescale)
    {
        Assert.Equal(prescale, Pca9685.PrescaleFor(hertz));
    }

    [Fact]
    public void Frequency_outside_the_chip_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca9685.PrescaleFor(2000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pca9685.PrescaleFor(10));
    }

    [Fact]
    public void Prescale_is_written_in_sleep_then_the_chip_is_restarted_and_all_outputs_are_off()
    {
        var chip = new Pca9685(_device, 1000, timeProvider: _clock);
        var sleepAt = Writes.FindIndex(w => w is [Pca9685.Mode1, var m] && (m & Pca9685.Mode1Sleep) != 0);
        var prescaleAt = Writes.FindIndex(w => w is [Pca9685.PreScale, 5]);
        var restartAt = Writes.FindIndex(w => w is [Pca9685.Mode1, var m] && (m & Pca9685.Mode1Restart) != 0 && (m & Pca9685.Mode1Sleep) == 0);
        Assert.True(sleepAt >= 0 && sleepAt < prescaleAt && prescaleAt < restartAt, string.Join(" | ", Writes.Select(Convert.ToHexString)));
        Assert.Equal([Pca9685.AllLedOnL, 0, 0, 0, Pca9685.FullBit], Writes[^1]);
        Assert.Equal(25e6 / (4096 * 6), chip.FrequencyHertz, 6);
        Assert.Equal(TimeSpan.FromSeconds(1 / chip.FrequencyHertz), chip.PwmPeriod);
    }

    [Fact]
    public void Duty_becomes_LEDn_ON_OFF_counts_with_full_on_and_full_off_bits()
    {
        var chip = new Pca9685(_device, 1526, timeProvider: _clock);
        _device.Writes.Clear();
        chip.SetDuty(0, 0.5);
        chip.SetDuty(3, 1.0);
        chip.SetDuty(15, 0);
        chip.SetDuty(8, 0.25);
        Assert.Equal([0x06, 0, 0, 0x00, 0x08], Writes[0]);
        Assert.Equal([0x06 + 12, 0, Pca9685.FullBit, 0, 0], Writes[1]);
        Assert.Equal([0x06 + 60, 0, 0, 0, Pca9685.FullBit], Writes[2]);
        Assert.Equal([0x06 + 32, 0, 0, 0x00, 0x04], Writes[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => chip.SetDuty(16, 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => chip.SetDuty(0, 1.1));
    }
}
