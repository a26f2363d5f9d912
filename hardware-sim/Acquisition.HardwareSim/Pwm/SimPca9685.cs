using System.Device.I2c;
using Acquisition.HardwareSim.Clock;
using static Acquisition.Hardware.Light.Pca9685Registers;

namespace Acquisition.HardwareSim.Pwm;

/// <summary>
/// An NXP PCA9685 16-channel 12-bit PWM controller on I2C, at register level: MODE1 (SLEEP, AI, RESTART),
/// MODE2 (INVRT), PRESCALE (written only while asleep), LEDn_ON/OFF_L/H with the full-on and full-off bits, and the
/// write-only ALL_LED registers. Every change of the outputs is recorded on the simulation clock.
/// </summary>
public sealed class SimPca9685 : I2cDevice
{
    private readonly object _gate = new();
    private readonly SimulationClock _clock;
    private readonly byte[] _registers = new byte[256];
    private readonly List<(long Ticks, PwmOutput[] Outputs)> _history = [];
    private byte _pointer;

    public SimPca9685(SimulationClock clock, int busId = 1, int address = 0x40)
    {
        ArgumentNullException.ThrowIfNull(clock);
        _clock = clock;
        ConnectionSettings = new I2cConnectionSettings(busId, address);
        PowerOnReset();
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>Every register write so far (register, value), for tests of a driver's write sequence.</summary>
    public int WriteCount { get; private set; }

    public byte RegisterValue(byte register)
    {
        lock (_gate)
        {
            return _registers[register];
        }
    }

    /// <summary>The PWM frequency the prescaler gives: 25 MHz / (4096 · (PRESCALE + 1)).</summary>
    public double FrequencyHz
    {
        get
        {
            lock (_gate)
            {
                return OscillatorHz / (4096.0 * (_registers[PreScale] + 1));
            }
        }
    }

    /// <summary>The output of every channel at <paramref name="at"/>.</summary>
    public PwmOutput[] OutputsAt(DateTimeOffset at)
    {
        lock (_gate)
        {
            var ticks = at.UtcTicks;
            for (var i = _history.Count - 1; i >= 0; i--)
            {
                if (_history[i].Ticks <= ticks)
                {
                    return [.. _history[i].Outputs];
                }
            }
            return [.. _history[0].Outputs];
        }
    }

    public PwmOutput OutputAt(int channel, DateTimeOffset at) => OutputsAt(at)[channel];

    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                // ALL_LED registers are write-only and read back as zero.
                buffer[i] = _pointer >= AllLedOnL && _pointer <= AllLedOnL + 3 ? (byte)0 : _registers[_pointer];
                Increment();
            }
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length == 0)
        {
            return;
        }
        lock (_gate)
        {
            _pointer = buffer[0];
            for (var i = 1; i < buffer.Length; i++)
            {
                WriteRegister(_pointer, buffer[i]);
                Increment();
            }
            Record();
        }
        _clock.NoteActivity();
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    private void PowerOnReset()
    {
        Array.Clear(_registers);
        _registers[Mode1] = 0x11; // SLEEP | ALLCALL
        _registers[Mode2] = 0x04; // OUTDRV
        _registers[0x02] = 0xE2; // SUBADR1..3, ALLCALLADR
        _registers[0x03] = 0xE4;
        _registers[0x04] = 0xE8;
        _registers[0x05] = 0xE0;
        for (var ch = 0; ch < 16; ch++)
        {
            _registers[Led0OnL + 4 * ch + 3] = 0x10; // LEDn_OFF_H full-off
        }
        _registers[PreScale] = 0x1E; // 200 Hz
        Record();
    }

    private void Increment()
    {
        if ((_registers[Mode1] & Mode1AutoIncrement) == 0)
        {
            return;
        }
        // With AI the pointer runs through 0x00–0x45 and wraps; ALL_LED and PRESCALE continue to 0xFF then wrap.
        _pointer = _pointer switch
        {
            0x45 => 0x00,
            0xFF => 0x00,
            _ => (byte)(_pointer + 1),
        };
    }

    private void WriteRegister(byte register, byte value)
    {
        WriteCount++;
        switch (register)
        {
            case PreScale:
                // The datasheet: PRESCALE can be written only while SLEEP is set; otherwise the write is ignored.
                if ((_registers[Mode1] & Mode1Sleep) != 0)
                {
                    _registers[PreScale] = Math.Max((byte)3, value);
                }
                return;
            case >= AllLedOnL and <= AllLedOnL + 3:
                for (var ch = 0; ch < 16; ch++)
                {
                    _registers[Led0OnL + 4 * ch + (register - AllLedOnL)] = value;
                }
                return;
            case Mode1:
                // RESTART is cleared by writing 1 to it; it reads 1 only after a sleep with PWM running.
                var restart = (value & Mode1Restart) != 0 ? 0 : _registers[Mode1] & Mode1Restart;
                if ((_registers[Mode1] & Mode1Sleep) == 0 && (value & Mode1Sleep) != 0)
                {
                    restart = Mode1Restart;
                }
                _registers[Mode1] = (byte)((value & ~Mode1Restart) | restart);
                return;
            default:
                _registers[register] = value;
                return;
        }
    }

    private void Record()
    {
        var outputs = new PwmOutput[16];
        var asleep = (_registers[Mode1] & Mode1Sleep) != 0;
        var invert = (_registers[Mode2] & Mode2Invert) != 0;
        var period = TimeSpan.FromSeconds(4096.0 * (_registers[PreScale] + 1) / OscillatorHz);
        for (var ch = 0; ch < 16; ch++)
        {
            var baseReg = Led0OnL + 4 * ch;
            var on = _registers[baseReg] | ((_registers[baseReg + 1] & 0x0F) << 8);
            var fullOn = (_registers[baseReg + 1] & 0x10) != 0;
            var off = _registers[baseReg + 2] | ((_registers[baseReg + 3] & 0x0F) << 8);
            var fullOff = (_registers[baseReg + 3] & 0x10) != 0;
            double duty;
            if (asleep || fullOff)
            {
                duty = 0; // full-off wins over full-on; a sleeping oscillator drives nothing
            }
            else if (fullOn)
            {
                duty = 1;
            }
            else
            {
                duty = ((off - on) % 4096 + 4096) % 4096 / 4096.0;
            }
            if (invert && !asleep)
            {
                duty = 1 - duty;
            }
            outputs[ch] = duty is 0 or 1 ? new PwmOutput(duty, TimeSpan.Zero) : new PwmOutput(duty, period);
        }
        _history.Add((_clock.GetUtcNow().UtcTicks, outputs));
        if (_history.Count > 10_000)
        {
            _history.RemoveRange(0, 5_000);
        }
    }
}
