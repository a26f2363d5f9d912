using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Acquisition.Station.Configuration;

namespace Acquisition.Station.Storage;

/// <summary>
/// The configuration in effect, flattened to "Section:Key" → value for the station's own sections, sorted, with a
/// SHA-256 over its canonical JSON. Comparing hashes tells whether anything changed since the last start.
/// </summary>
public sealed class ConfigurationSnapshot
{
    private ConfigurationSnapshot(SortedDictionary<string, string> values)
    {
        Values = values;
        Json = JsonSerializer.Serialize(values);
        Hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json)));
    }

    public IReadOnlyDictionary<string, string> Values { get; }

    public string Json { get; }

    public string Hash { get; }

    public static ConfigurationSnapshot Of(IConfiguration configuration, IEnumerable<StationConfigurationSection> sections)
    {
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var section in sections)
        {
            var root = configuration.GetSection(section.Name);
            foreach (var (key, value) in root.AsEnumerable(makePathsRelative: false))
            {
                if (value is not null)
                {
                    // Keys are case-insensitive and the merged view keeps the first provider's spelling (the file's).
                    values[CanonicalKey(section.Name, key)] = value;
                }
            }
        }
        return new ConfigurationSnapshot(values);
    }

    public static ConfigurationSnapshot FromJson(string json) =>
        new(new SortedDictionary<string, string>(
            JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [], StringComparer.Ordinal));

    /// <summary>What changed from <paramref name="previous"/> to this snapshot.</summary>
    public ConfigurationDiff DiffFrom(ConfigurationSnapshot? previous)
    {
        var before = previous?.Values ?? new Dictionary<string, string>();
        var added = Values.Where(kv => !before.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var removed = before.Where(kv => !Values.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        var changed = Values.Where(kv => before.TryGetValue(kv.Key, out var old) && old != kv.Value)
            .ToDictionary(kv => kv.Key, kv => new ConfigurationValueChange(before[kv.Key], kv.Value));
        return new ConfigurationDiff(added, removed, changed);
    }

    private static string CanonicalKey(string section, string key)
    {
        // The section's registered spelling, whatever case an override used for it.
        var rest = key.Length > section.Length ? key[section.Length..] : "";
        return section + rest;
    }
}
