namespace Acquisition.Hardware.Light;

/// <summary>
/// The NXP PCA9685's register addresses and bits (datasheet rev. 4), defined once for the driver and the
/// simulator's register model.
/// </summary>
public static class Pca9685Registers
{
    public const byte Mode1 = 0x00;
    public const byte Mode2 = 0x01;
    public const byte Led0OnL = 0x06;
    public const byte AllLedOnL = 0xFA;
    public const byte PreScale = 0xFE;

    public const byte Mode1Restart = 0x80;
    public const byte Mode1AutoIncrement = 0x20;
    public const byte Mode1Sleep = 0x10;
    public const byte Mode1AllCall = 0x01;
    public const byte Mode2Invert = 0x10;
    public const byte Mode2OutDrv = 0x04;

    /// <summary>Bit 4 of LEDn_ON_H (full on) and LEDn_OFF_H (full off).</summary>
    public const byte FullBit = 0x10;

    /// <summary>The internal oscillator.</summary>
    public const double OscillatorHz = 25_000_000;
}
