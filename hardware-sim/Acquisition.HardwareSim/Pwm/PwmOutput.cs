namespace Acquisition.HardwareSim.Pwm;

/// <summary>What one PWM output emits: duty 0–1 and the PWM period (zero when steady, fully on or off).</summary>
public readonly record struct PwmOutput(double Duty, TimeSpan Period)
{
    public static PwmOutput Off => new(0, TimeSpan.Zero);
}
