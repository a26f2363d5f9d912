using Acquisition.HardwareSim.Surface;

namespace Acquisition.Workflow.Tests.Sim;

/// <summary>
/// One simulated bench (default 9 mm casing, quarter-resolution sensor) and the cut-down recipe, shared by the tests
/// of a class whose captures leave the bench as they found it: refused before any motion, or ended normally with the
/// stage at the safe Z and the lights off.
/// </summary>
public sealed class SharedSimBench : IAsyncLifetime
{
    private SimBench? _bench;
    private FaultRecipe? _recipe;

    internal SimBench Bench => _bench ?? throw new InvalidOperationException("The bench is not started.");

    internal string FirmwareConfig => (_recipe ?? throw new InvalidOperationException("The bench is not started.")).Path;

    public async Task InitializeAsync()
    {
        _recipe = new FaultRecipe();
        _bench = await SimBench.StartAsync(SimBench.QuarterResolution, SurfacePresets.DefaultCasing());
    }

    public async Task DisposeAsync()
    {
        if (_bench is not null)
        {
            await _bench.DisposeAsync();
        }
        _recipe?.Dispose();
    }
}
