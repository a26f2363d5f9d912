using System.Device.Gpio;
using System.Device.I2c;
using System.Device.Pwm;
using Acquisition.Core.Hardware;
using Acquisition.Hardware.Grbl;
using Acquisition.Hardware.Light;
using Acquisition.Hardware.Panel;
using Acquisition.Station.Configuration;
using Microsoft.Extensions.Options;
using StationRingLightOptions = Acquisition.Station.Configuration.RingLightOptions;

namespace Acquisition.Station.Hardware;

/// <summary>The real drivers on the station's GPIO chip, I2C bus, PWM outputs and serial port.</summary>
public static class RealHardware
{
    /// <summary>Native PWM outputs are taken from this chip (/sys/class/pwm/pwmchip0).</summary>
    private const int PwmChip = 0;

    public static IServiceCollection AddRealHardware(this IServiceCollection services)
    {
        services.AddSingleton(_ => new GpioController());
        services.AddSingleton<IOperatorPanel>(sp => new OperatorPanel(
            sp.GetRequiredService<GpioController>(),
            sp.GetRequiredService<IOptions<StationOptions>>().Value.Pins,
            new OperatorPanelOptions(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<OperatorPanel>>()));
        services.AddSingleton<IStage>(sp =>
        {
            var stage = sp.GetRequiredService<IOptions<StageOptions>>().Value;
            return new GrblStage(DriverOptions.Stage(stage, stage.SerialPort), sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<GrblStage>>(), sp.GetRequiredService<IOperatorPanel>());
        });
        services.AddSingleton<IRingLight>(sp =>
        {
            var light = sp.GetRequiredService<IOptions<StationRingLightOptions>>().Value;
            var log = sp.GetRequiredService<ILogger<RingLight>>();
            return light.Driver switch
            {
                RingLightDriver.Pca9685 => new RingLight(
                    new Pca9685(I2cDevice.Create(new I2cConnectionSettings(light.I2cBus, light.I2cAddress)), light.PwmFrequencyHz, ownsDevice: true,
                        timeProvider: sp.GetRequiredService<TimeProvider>()),
                    DriverOptions.RingLight(light), log),
                RingLightDriver.NativePwm => new RingLight(
                    new PwmChannelBank([.. DriverOptions.UsedOutputs(light).Select(c => PwmChannel.Create(PwmChip, c, light.PwmFrequencyHz, 0))]),
                    DriverOptions.RingLightOverUsedOutputs(light), log),
                _ => new RingLight(
                    new GpioOnOffChannelBank(sp.GetRequiredService<GpioController>(), DriverOptions.UsedOutputs(light)),
                    DriverOptions.RingLightOverUsedOutputs(light), log),
            };
        });
        return services;
    }
}
