using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

public static class StationOptionsRegistration
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to section <paramref name="section"/>, validates it at start with
    /// <typeparamref name="TValidator"/>, and registers the section for the start-up check and the config audit.
    /// </summary>
    public static IServiceCollection AddStationOptions<TOptions, TValidator>(
        this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TOptions>, TValidator>();
        services.AddSingleton(new StationConfigurationSection(section, typeof(TOptions)));
        return services;
    }
}
