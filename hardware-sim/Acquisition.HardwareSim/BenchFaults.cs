using Acquisition.Core.Hardware;

namespace Acquisition.HardwareSim;

/// <summary>
/// The fault switches of the bench, shared by the motion/IO side and the simulated camera. Switch them at run time
/// from tests, the control socket or the tool; <see cref="Changed"/> tells every part of the bench at once.
/// </summary>
public sealed class BenchFaults
{
    /// <summary>The names the control socket and the tool use.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "serial-garbage", "dropped-ok", "controller-reset", "limit-x", "limit-y", "limit-z",
        "stall-x", "stall-y", "stall-z", "door-open", "stuck-button", "serial-unplugged", "camera-disconnect", "camera-timeout",
    ];

    private readonly object _gate = new();
    private readonly HashSet<string> _on = [];

    /// <summary>Raised (outside the lock) with the fault's name and new state.</summary>
    public event Action<string, bool>? Changed;

    /// <summary>The camera helper's switches: the camera reports disconnected / frames time out while on.</summary>
    public bool CameraDisconnected => IsOn("camera-disconnect");

    public bool CameraFrameTimeouts => IsOn("camera-timeout");

    public bool StuckButton => IsOn("stuck-button");

    public bool IsOn(string name)
    {
        lock (_gate)
        {
            return _on.Contains(name);
        }
    }

    public IReadOnlyList<string> Active
    {
        get
        {
            lock (_gate)
            {
                return [.. _on.Order()];
            }
        }
    }

    /// <summary>
    /// Switches a fault. One-shot faults ("serial-garbage", "dropped-ok", "controller-reset") act when switched on
    /// and fall back to off by themselves.
    /// </summary>
    public void Set(string name, bool on)
    {
        if (!Names.Contains(name))
        {
            throw new ArgumentException($"Unknown fault '{name}'. Known faults: {string.Join(", ", Names)}.", nameof(name));
        }
        var oneShot = name is "serial-garbage" or "dropped-ok" or "controller-reset";
        lock (_gate)
        {
            if (on && !oneShot)
            {
                if (!_on.Add(name))
                {
                    return;
                }
            }
            else if (!on && !_on.Remove(name))
            {
                return;
            }
        }
        Changed?.Invoke(name, on);
    }

    /// <summary>
    /// Marks a fault on that already acted elsewhere (an armed stall fired inside the controller), so that status and
    /// "fault ... off" see it, without acting again.
    /// </summary>
    internal void RecordOn(string name)
    {
        lock (_gate)
        {
            _on.Add(name);
        }
    }

    public static string LimitName(Axis axis) => "limit-" + axis.ToString().ToLowerInvariant();

    public static string StallName(Axis axis) => "stall-" + axis.ToString().ToLowerInvariant();
}
