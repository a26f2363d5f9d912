using System.Globalization;
using System.Text.Json;

namespace Acquisition.Station.Web;

/// <summary>The page's strings per language, from the embedded Resources/web.&lt;lang&gt;.json files.</summary>
public sealed class WebStrings
{
    public const string DefaultLanguage = "en";
    public static readonly IReadOnlyList<string> Languages = ["en", "es"];

    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _byLanguage = new(StringComparer.Ordinal);

    public WebStrings()
    {
        var assembly = typeof(WebStrings).Assembly;
        foreach (var lang in Languages)
        {
            var name = $"Acquisition.Station.Resources.web.{lang}.json";
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from the build.");
            _byLanguage[lang] = JsonSerializer.Deserialize<Dictionary<string, string>>(stream)
                ?? throw new InvalidDataException($"Resource '{name}' is empty.");
        }
    }

    public static string Normalise(string? language) =>
        language is not null && Languages.Contains(language.ToLowerInvariant()) ? language.ToLowerInvariant() : DefaultLanguage;

    public IReadOnlyDictionary<string, string> For(string? language) => _byLanguage[Normalise(language)];

    /// <summary>A localised message; missing keys fall back to English, then to the key itself.</summary>
    public string Format(string? language, string key, params object[] args)
    {
        var lang = Normalise(language);
        var template = _byLanguage[lang].TryGetValue(key, out var t) ? t
            : _byLanguage[DefaultLanguage].TryGetValue(key, out var e) ? e : key;
        return args.Length == 0 ? template : string.Format(CultureInfo.GetCultureInfo(lang), template, args);
    }
}
