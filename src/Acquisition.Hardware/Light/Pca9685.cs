using System.Device.I2c;

namespace Acquisition.Hardware.Light;

/// <summary>
/// Register-level driver of the NXP PCA9685 16-channel, 12-bit PWM controller (datasheet rev. 4): MODE1/MODE2,
/// PRE_SCALE for the frequency (only writable in SLEEP), LEDn_ON/OFF with the full-on/full-off bits, and the
/// restart sequence. The dotnet/iot binding lives in Iot.Device.Bindings, which our registry does not serve.
/// </summary>
public sealed class Pca9685 : ILightChannelBank
{
    // The register map is defined once in Pca9685Registers (the simulator models the same chip).
    public const byte Mode1 = Pca9685Registers.Mode1;
    public const byte Mode2 = Pca9685Registers.Mode2;
    public const byte Led0OnL = Pca9685Registers.Led0OnL;
    public const byte AllLedOnL = Pca9685Registers.AllLedOnL;
    public const byte PreScale = Pca9685Registers.PreScale;

    public const byte Mode1Restart = Pca9685Registers.Mode1Restart;
    public const byte Mode1AutoIncrement = Pca9685Registers.Mode1AutoIncrement;
    public const byte Mode1Sleep = Pca9685Registers.Mode1Sleep;
    public const byte Mode1AllCall = Pca9685Registers.Mode1AllCall;
    public const byte Mode2OutDrv = Pca9685Registers.Mode2OutDrv;
    public const byte FullBit = Pca9685Registers.FullBit;

    /// <summary>The internal oscillator.</summary>
    public const double OscillatorHz = Pca9685Registers.OscillatorHz;

    /// <summary>The datasheet's minimum time between clearing SLEEP and writing RESTART (oscillator start-up).</summary>
    public static readonly TimeSpan OscillatorStartup = TimeSpan.FromMicroseconds(500);

    private readonly I2cDevice _device;
    private readonly bool _ownsDevice;
    private readonly TimeProvider _time;

    /// <param name="device">The chip at its address (default 0x40) on the station's I2C bus.</param>
    /// <param name="frequencyHertz">PWM frequency, 24–1526 Hz.</param>
    /// <param name="timeProvider">
    /// The station's clock, on which the 500 µs oscillator start-up is waited (the simulator's clock on the bench);
    /// the system clock when not given.
    /// </param>
    public Pca9685(I2cDevice device, double frequencyHertz = 1526, bool ownsDevice = false, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        _ownsDevice = ownsDevice;
        _time = timeProvider ?? TimeProvider.System;
        // Totem-pole outputs for the LED driver's logic inputs; outputs change on the I2C STOP.
        WriteRegister(Mode2, Mode2OutDrv);
        WriteRegister(Mode1, Mode1AutoIncrement | Mode1AllCall);
        WaitForOscillator();
        SetFrequency(frequencyHertz);
        AllOff();
    }

    public int ChannelCount => 16;

    public double FrequencyHertz { get; private set; }

    public byte Prescale { get; private set; }

    public TimeSpan PwmPeriod => TimeSpan.FromSeconds(1.0 / FrequencyHertz);

    /// <summary>prescale = round(osc / (4096 × f)) − 1, limited by the chip to 3..255.</summary>
    public static byte PrescaleFor(double frequencyHertz)
    {
        if (!(frequencyHertz >= 24 && frequencyHertz <= 1526))
        {
            throw new ArgumentOutOfRangeException(nameof(frequencyHertz), frequencyHertz, "The PCA9685 runs at 24–1526 Hz from its 25 MHz oscillator.");
        }
        return (byte)Math.Clamp(Math.Round(OscillatorHz / (4096 * frequencyHertz)) - 1, 3, 255);
    }

    public void SetFrequency(double frequencyHertz)
    {
        var prescale = PrescaleFor(frequencyHertz);
        var mode1 = (byte)(ReadRegister(Mode1) & ~Mode1Restart);
        WriteRegister(Mode1, (byte)(mode1 | Mode1Sleep));
        WriteRegister(PreScale, prescale);
        WriteRegister(Mode1, (byte)(mode1 & ~Mode1Sleep));
        WaitForOscillator();
        // Restart resumes the PWM channels that were running before SLEEP.
        WriteRegister(Mode1, (byte)((mode1 & ~Mode1Sleep) | Mode1Restart | Mode1AutoIncrement));
        Prescale = prescale;
        FrequencyHertz = OscillatorHz / (4096.0 * (prescale + 1));
    }

    /// <summary>Duty 0–1 → 12-bit off count; 0 and 1 use the full-off / full-on bits so they have no glitch pulse.</summary>
    public void SetDuty(int channel, double duty)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(channel);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, ChannelCount);
        if (!(duty >= 0 && duty <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(duty), duty, "PWM duty must be 0–1.");
        }
        var counts = (int)Math.Round(duty * 4096);
        var register = (byte)(Led0OnL + 4 * channel);
        if (counts <= 0)
        {
            WriteBlock(register, 0, 0, 0, FullBit);
        }
        else if (counts >= 4096)
        {
            WriteBlock(register, 0, FullBit, 0, 0);
        }
        else
        {
            WriteBlock(register, 0, 0, (byte)(counts & 0xFF), (byte)(counts >> 8));
        }
    }

    /// <summary>Reads back a channel's duty from its registers (diagnostics and tests).</summary>
    public double ReadDuty(int channel)
    {
        var register = (byte)(Led0OnL + 4 * channel);
        Span<byte> regs = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            regs[i] = ReadRegister((byte)(register + i));
        }
        if ((regs[3] & FullBit) != 0)
        {
            return 0;
        }
        if ((regs[1] & FullBit) != 0)
        {
            return 1;
        }
        var on = regs[0] | ((regs[1] & 0x0F) << 8);
        var off = regs[2] | ((regs[3] & 0x0F) << 8);
        return ((off - on + 4096) % 4096) / 4096.0;
    }

    public void AllOff() => WriteBlock(AllLedOnL, 0, 0, 0, FullBit);

    /// <summary>Low-power sleep; outputs stop. Used when the station shuts down.</summary>
    public void Sleep() => WriteRegister(Mode1, (byte)(ReadRegister(Mode1) | Mode1Sleep));

    public byte ReadRegister(byte register)
    {
        _device.WriteByte(register);
        return _device.ReadByte();
    }

    public void WriteRegister(byte register, byte value) => _device.Write([register, value]);

    private void WriteBlock(byte register, byte onL, byte onH, byte offL, byte offH) =>
        _device.Write([register, onL, onH, offL, offH]);

    /// <summary>
    /// Blocks for <see cref="OscillatorStartup"/> on the injected clock. Synchronous because it runs in the
    /// constructor and in <see cref="SetFrequency"/> (start-up and reconfiguration only, never per frame). A timer
    /// rather than a spin: on the simulator's virtual clock a blocked thread counts as waiting, so time moves on;
    /// on the system clock the timer's ~1 ms granularity only lengthens a minimum wait.
    /// </summary>
    private void WaitForOscillator()
    {
        using var elapsed = new ManualResetEventSlim();
        using var timer = _time.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, OscillatorStartup, Timeout.InfiniteTimeSpan);
        elapsed.Wait();
    }

    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }
}
