using System.Text;

namespace Acquisition.Workflow.Recipes;

/// <summary>The calibre table with its recipes: resolves a technician's calibre (name or alias) to its recipe.</summary>
public sealed class CalibreTable
{
    private readonly Dictionary<string, CalibreEntry> _byKey;
    private readonly Dictionary<string, Recipe> _recipes;

    public CalibreTable(IReadOnlyList<CalibreEntry> calibres, IReadOnlyList<Recipe> recipes)
    {
        Calibres = calibres;
        Recipes = recipes;
        _recipes = recipes.ToDictionary(r => r.Name, StringComparer.Ordinal);
        _byKey = new Dictionary<string, CalibreEntry>(StringComparer.Ordinal);
        foreach (var c in calibres)
        {
            foreach (var name in c.Aliases.Prepend(c.Name))
            {
                _byKey.TryAdd(Normalise(name), c);
            }
        }
    }

    public IReadOnlyList<CalibreEntry> Calibres { get; }

    public IReadOnlyList<Recipe> Recipes { get; }

    /// <summary>Finds a calibre by name or alias, ignoring case, spaces, dots and dashes ("9 mm luger" = "9mm Luger").</summary>
    public bool TryFind(string calibre, out CalibreEntry entry)
    {
        entry = null!;
        if (string.IsNullOrWhiteSpace(calibre))
        {
            return false;
        }
        if (_byKey.TryGetValue(Normalise(calibre), out var found))
        {
            entry = found;
            return true;
        }
        return false;
    }

    /// <summary>The calibre's entry, or <see cref="UnknownCalibreException"/> listing close matches.</summary>
    public CalibreEntry Resolve(string calibre)
    {
        if (TryFind(calibre, out var entry))
        {
            return entry;
        }
        throw new UnknownCalibreException(calibre ?? string.Empty, CloseMatches(calibre ?? string.Empty));
    }

    public Recipe RecipeFor(CalibreEntry calibre) =>
        _recipes.TryGetValue(calibre.Recipe, out var r)
            ? r
            : throw new InvalidOperationException($"Calibre '{calibre.Name}' names recipe '{calibre.Recipe}', which is not loaded.");

    /// <summary>Canonical names whose name or an alias is within a small edit distance of, or contains, what was typed.</summary>
    public IReadOnlyList<string> CloseMatches(string calibre, int max = 3)
    {
        var typed = Normalise(calibre);
        if (typed.Length == 0)
        {
            return Calibres.Take(max).Select(c => c.Name).ToList();
        }
        var scored = new List<(string Name, int Score)>();
        foreach (var c in Calibres)
        {
            var best = int.MaxValue;
            foreach (var name in c.Aliases.Prepend(c.Name))
            {
                var key = Normalise(name);
                var d = Levenshtein(typed, key);
                if (key.Contains(typed, StringComparison.Ordinal) || typed.Contains(key, StringComparison.Ordinal))
                {
                    d = Math.Min(d, 1);
                }
                best = Math.Min(best, d);
            }
            var tolerance = Math.Max(2, typed.Length / 3);
            if (best <= tolerance)
            {
                scored.Add((c.Name, best));
            }
        }
        return scored.OrderBy(s => s.Score).ThenBy(s => s.Name, StringComparer.Ordinal).Take(max).Select(s => s.Name).ToList();
    }

    internal static string Normalise(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name.Trim().ToLowerInvariant())
        {
            switch (ch)
            {
                case ' ' or '.' or '-' or '_' or '\u00a0':
                    break;
                case '\u00d7':
                    sb.Append('x');
                    break;
                default:
                    sb.Append(ch);
                    break;
            }
        }
        return sb.ToString();
    }

    private static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
