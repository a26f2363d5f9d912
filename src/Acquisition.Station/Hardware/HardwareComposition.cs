using Acquisition.Core.Hardware;
using Acquisition.Station.Configuration;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Hardware;

/// <summary>
/// Chooses where IStage, IRingLight and IOperatorPanel come from (Station:Hardware). Devices are created lazily by
/// the container, so nothing is opened before the configuration has been validated; drivers open ports only in
/// ConnectAsync.
/// </summary>
public static class HardwareComposition
{
    public static IServiceCollection AddStationHardware(this IServiceCollection services, IConfiguration configuration)
    {
        var raw = configuration[$"{StationOptions.Section}:{nameof(StationOptions.Hardware)}"];
        var profile = Enum.TryParse<HardwareProfile>(raw, ignoreCase: true, out var p) ? p : HardwareProfile.Real;
        switch (profile)
        {
            case HardwareProfile.Fake:
                services.AddSingleton(sp => new DeviceClock(sp.GetRequiredService<TimeProvider>()));
                services.AddSingleton<IStage>(sp => new FakeStage(sp.GetRequiredService<TimeProvider>()));
                services.AddSingleton<IRingLight>(sp =>
                    new FakeRingLight(sp.GetRequiredService<IOptions<RingLightOptions>>().Value.SegmentChannels.Length));
                services.AddSingleton<IOperatorPanel, FakeOperatorPanel>();
                break;
            case HardwareProfile.Sim:
                services.AddSimHardware();
                break;
            default:
                services.AddSingleton(sp => new DeviceClock(sp.GetRequiredService<TimeProvider>()));
                services.AddRealHardware();
                break;
        }
        return services;
    }
}
