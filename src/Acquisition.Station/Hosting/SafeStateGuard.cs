using Acquisition.Core.Hardware;
using Acquisition.Station.Configuration;
using Microsoft.Extensions.Options;

namespace Acquisition.Station.Hosting;

/// <summary>
/// Puts the hardware in its safe state: motion held, lights off, and motors off only where Stage:ZHoldsItself
/// says an unpowered Z cannot drop the optics onto the casing. Each step runs even when an earlier one failed.
/// </summary>
public sealed class SafeStateGuard(
    IStage stage,
    IRingLight light,
    IOperatorPanel panel,
    IOptions<StageOptions> stageOptions,
    ILogger<SafeStateGuard> log)
{
    public async Task<bool> ApplyAsync(string reason, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        await Step("hold motion", ct => stage.FeedHoldAsync(ct), problems, cancellationToken).ConfigureAwait(false);
        await Step("switch lights off", ct => light.AllOffAsync(ct), problems, cancellationToken).ConfigureAwait(false);
        var motorsOff = stageOptions.Value.ZHoldsItself;
        if (motorsOff)
        {
            await Step("switch motors off", _ => { panel.SetMotorsEnabled(false); return Task.CompletedTask; }, problems, cancellationToken)
                .ConfigureAwait(false);
        }
        await Step("clear indicator", _ => { panel.ShowIndicator(StatusIndicator.Off); return Task.CompletedTask; }, problems, cancellationToken)
            .ConfigureAwait(false);
        var motors = motorsOff ? "motors off" : "motors left powered (Stage:ZHoldsItself=false: an unpowered Z could drop)";
        if (problems.Count == 0)
        {
            log.LogInformation("Safe state reached ({Reason}): motion held, lights off, {Motors}.", reason, motors);
            return true;
        }
        log.LogError("Safe state NOT fully reached ({Reason}): {Problems}. Check the station before touching it.",
            reason, string.Join("; ", problems));
        return false;
    }

    private async Task Step(string what, Func<CancellationToken, Task> action, List<string> problems, CancellationToken cancellationToken)
    {
        try
        {
            await action(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            log.LogError(ex, "Could not {What} while going safe.", what);
            problems.Add($"could not {what}: {ex.Message}");
        }
    }
}
