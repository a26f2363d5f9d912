namespace Acquisition.Station.Configuration;

/// <summary>
/// A top-level configuration section bound to an options type. Every section the station reads is registered as
/// one of these (see <see cref="StationOptionsRegistration"/>), so that the start-up check can find misspelt keys,
/// values of the wrong type and semantic errors in all of them at once, and the audit can hash what is in effect.
/// </summary>
public sealed record StationConfigurationSection(string Name, Type OptionsType);
