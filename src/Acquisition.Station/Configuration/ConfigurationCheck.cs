using System.Reflection;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Configuration;

/// <summary>
/// Runs every configuration check before anything starts and returns all failures together: the shape check
/// (unknown keys, unconvertible values) for every section, then the registered IValidateOptions of each section
/// whose shape is sound. These are the same validators ValidateOnStart runs, so the two cannot disagree.
/// </summary>
public static class ConfigurationCheck
{
    public static IReadOnlyList<string> Run(IServiceProvider services)
    {
        var configuration = services.GetRequiredService<IConfiguration>();
        var sections = services.GetServices<StationConfigurationSection>().ToList();
        var shape = ConfigurationShapeCheck.Check(configuration, sections);
        var failures = new List<string>(shape);
        foreach (var section in sections)
        {
            var prefix = section.Name + ":";
            if (shape.Any(f => f.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                continue; // Binding would stop at the first bad value; its semantic checks wait for the next start.
            }
            var optionsType = typeof(IOptions<>).MakeGenericType(section.OptionsType);
            try
            {
                _ = optionsType.GetProperty(nameof(IOptions<object>.Value))!.GetValue(services.GetRequiredService(optionsType));
            }
            catch (TargetInvocationException ex) when (ex.InnerException is OptionsValidationException ove)
            {
                failures.AddRange(ove.Failures);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is InvalidOperationException ioe)
            {
                failures.Add($"{section.Name}: {ioe.Message}");
            }
        }
        return [.. failures.Distinct(StringComparer.Ordinal)];
    }

    public static string Describe(IReadOnlyList<string> failures, IEnumerable<string> sources)
    {
        var lines = new List<string>
        {
            $"Configuration is invalid ({failures.Count} problem{(failures.Count == 1 ? "" : "s")}); nothing was started and no hardware was touched:",
        };
        lines.AddRange(failures.Select((f, i) => $"  {i + 1}. {f}"));
        lines.Add($"Read from: {string.Join("; ", sources)}. Fix the values above and start again (docs/configuration.md lists every setting).");
        return string.Join(Environment.NewLine, lines);
    }
}
