using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Acquisition.Workflow.Timing;

namespace Acquisition.Station.Configuration;

/// <summary>
/// Checks raw configuration against the shape of the options types before anything is bound: keys that match no
/// setting (a typo would otherwise be ignored silently) and values that cannot convert to the setting's type (the
/// binder would stop at the first one). Conversion uses the same TypeConverters as the binder, so what passes here
/// binds.
/// </summary>
public static class ConfigurationShapeCheck
{
    /// <summary>Sections other libraries own; their content is theirs to check.</summary>
    private static readonly string[] ForeignSections = ["Logging"];

    /// <summary>
    /// Sub-sections bound on their own (by the capture composition), not through a property of the section's options
    /// type: declared here so their keys are checked like any other, instead of being refused or passing unchecked.
    /// </summary>
    private static readonly Dictionary<string, Type> NestedSections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Station:Capture:Motion"] = typeof(MotionProfile),
    };

    /// <summary>
    /// Single settings read straight from the configuration (by the capture composition), not bound to a property:
    /// without this the check would refuse a key the station actually uses.
    /// </summary>
    private static readonly Dictionary<string, Type> NestedSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Station:Capture:FirmwareConfigDirectory"] = typeof(string),
    };

    public static IReadOnlyList<string> Check(IConfiguration configuration, IEnumerable<StationConfigurationSection> sections)
    {
        var failures = new List<string>();
        var known = sections.ToDictionary(s => s.Name, s => s.OptionsType, StringComparer.OrdinalIgnoreCase);
        foreach (var top in configuration.GetChildren())
        {
            if (known.TryGetValue(top.Key, out var type))
            {
                CheckObject(top, type, failures);
            }
            else if (!ForeignSections.Contains(top.Key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{top.Path}: not a known section; allowed sections: {string.Join(", ", known.Keys.Concat(ForeignSections))}.");
            }
        }
        return failures;
    }

    private static void CheckObject(IConfigurationSection section, Type type, List<string> failures)
    {
        if (section.Value is { Length: > 0 } v && !section.GetChildren().Any())
        {
            failures.Add($"{section.Path} = '{v}': expected a group of settings ({Describe(type)}), not a single value.");
            return;
        }
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite || IsCollection(p.PropertyType) || DictionaryTypesOf(p.PropertyType) is not null)
            .Where(p => p.GetIndexParameters().Length == 0)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var nested = NestedSections.Where(n => string.Equals(ParentPath(n.Key), section.Path, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(n => n.Key[(n.Key.LastIndexOf(':') + 1)..], n => n.Value, StringComparer.OrdinalIgnoreCase);
        var settings = NestedSettings.Where(n => string.Equals(ParentPath(n.Key), section.Path, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(n => n.Key[(n.Key.LastIndexOf(':') + 1)..], n => n.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (nested.TryGetValue(child.Key, out var nestedType))
            {
                CheckObject(child, nestedType, failures);
                continue;
            }
            if (settings.TryGetValue(child.Key, out var settingType))
            {
                CheckValue(child, settingType, failures);
                continue;
            }
            if (!properties.TryGetValue(child.Key, out var property))
            {
                failures.Add($"{child.Path}: not a known setting; allowed in {section.Path}: {string.Join(", ", properties.Keys.Concat(settings.Keys).Concat(nested.Keys))}.");
                continue;
            }
            CheckValue(child, property.PropertyType, failures);
        }
    }

    private static string ParentPath(string path) => path[..Math.Max(0, path.LastIndexOf(':'))];

    private static void CheckValue(IConfigurationSection section, Type type, List<string> failures)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (DictionaryTypesOf(underlying) is { } dictionary)
        {
            // The binder makes each child key a dictionary key: check it converts (an enum key must be a member's
            // name) and check the value as the value type.
            foreach (var entry in section.GetChildren())
            {
                if (!Converts(entry.Key, dictionary.Key))
                {
                    failures.Add($"{entry.Path}: '{entry.Key}' is not {Describe(dictionary.Key)}.");
                    continue;
                }
                CheckValue(entry, dictionary.Value, failures);
            }
            return;
        }
        if (IsScalar(underlying))
        {
            if (section.GetChildren().Any())
            {
                failures.Add($"{section.Path}: expected a single value ({Describe(underlying)}), not a group of settings.");
                return;
            }
            var value = section.Value;
            if (value is null || underlying == typeof(string))
            {
                return;
            }
            if (value.Length == 0)
            {
                if (Nullable.GetUnderlyingType(type) is null)
                {
                    failures.Add($"{section.Path} = '': empty; expected {Describe(underlying)}.");
                }
                return;
            }
            if (!Converts(value, underlying))
            {
                failures.Add($"{section.Path} = '{value}': not {Describe(underlying)}.");
            }
            return;
        }
        if (ElementTypeOf(underlying) is { } element)
        {
            if (section.Value is { Length: > 0 } single && !section.GetChildren().Any())
            {
                failures.Add($"{section.Path} = '{single}': expected a list of {Describe(element)}, not a single value.");
                return;
            }
            foreach (var item in section.GetChildren())
            {
                if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    failures.Add($"{item.Path}: '{item.Key}' is not a list index; {section.Path} is a list.");
                    continue;
                }
                CheckValue(item, element, failures);
            }
            return;
        }
        CheckObject(section, underlying, failures);
    }

    private static bool Converts(string value, Type type)
    {
        if (type.IsEnum)
        {
            // The binder also takes numbers for enums, which would let "7" through as an undefined member.
            return Enum.GetNames(type).Contains(value.Trim(), StringComparer.OrdinalIgnoreCase);
        }
        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or NotSupportedException or ArgumentException or OverflowException
                                   || ex.InnerException is FormatException or OverflowException)
        {
            return false;
        }
    }

    private static bool IsScalar(Type t) =>
        t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
        || t == typeof(DateTimeOffset) || t == typeof(DateTime) || t == typeof(Uri) || t == typeof(Guid);

    private static (Type Key, Type Value)? DictionaryTypesOf(Type t)
    {
        var dictionary = t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IDictionary<,>)
            ? t
            : t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        return dictionary is null ? null : (dictionary.GetGenericArguments()[0], dictionary.GetGenericArguments()[1]);
    }

    private static bool IsCollection(Type t) => ElementTypeOf(t) is not null;

    private static Type? ElementTypeOf(Type t)
    {
        if (t == typeof(string))
        {
            return null;
        }
        if (t.IsArray)
        {
            return t.GetElementType();
        }
        if (t.IsGenericType && typeof(IEnumerable).IsAssignableFrom(t) && t.GetGenericArguments().Length == 1 && DictionaryTypesOf(t) is null)
        {
            return t.GetGenericArguments()[0];
        }
        return null;
    }

    internal static string Describe(Type t)
    {
        var u = Nullable.GetUnderlyingType(t) ?? t;
        if (u.IsEnum)
        {
            return "one of " + string.Join(", ", Enum.GetNames(u));
        }
        return u switch
        {
            _ when u == typeof(int) || u == typeof(long) || u == typeof(short) => "a whole number (hex as 0x40 is accepted)",
            _ when u == typeof(uint) || u == typeof(ulong) || u == typeof(ushort) || u == typeof(byte) => "a whole number ≥ 0",
            _ when u == typeof(double) || u == typeof(float) || u == typeof(decimal) => "a number with '.' as the decimal point",
            _ when u == typeof(bool) => "true or false",
            _ when u == typeof(TimeSpan) => "a duration such as 00:00:05 or 00:00:00.250",
            _ when u == typeof(string) => "text",
            _ => "settings of " + u.Name,
        };
    }
}
