using System.Device.I2c;

namespace Acquisition.Hardware.Tests;

/// <summary>
/// Records every I2C write for register-level assertions (NSubstitute cannot match span arguments). Reads return
/// <see cref="ReadValue"/>. Integration tests use the simulator's PCA9685 model instead.
/// </summary>
internal sealed class RecordingI2cDevice : I2cDevice
{
    public List<byte[]> Writes { get; } = [];

    public byte ReadValue { get; set; }

    public override I2cConnectionSettings ConnectionSettings { get; } = new(1, 0x40);

    public override byte ReadByte() => ReadValue;

    public override void Read(Span<byte> buffer) => buffer.Fill(ReadValue);

    public override void Write(ReadOnlySpan<byte> buffer) => Writes.Add(buffer.ToArray());

    public override void WriteByte(byte value) => Writes.Add([value]);

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }
}
