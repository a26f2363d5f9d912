using System.IO.Ports;
using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

/// <summary>
/// The pty host's part in "every party is waiting": a request the station has announced (before its write) holds
/// virtual time until the simulator has acted on it, even while the bytes are in no queue FIONREAD can see.
/// </summary>
public sealed class GrblPtyHostClockTests
{
    [Fact]
    public async Task A_request_announced_but_not_yet_in_the_pty_holds_virtual_time_until_the_simulator_has_taken_it()
    {
        using var clock = new SimulationClock();
        // Probes are consulted in the order they were added, each jump stopping at the first busy one: this one, added
        // before the host's, sees every time the scheduler considers a jump, including those the host then vetoes.
        var watching = 0;
        var looks = 0;
        var lookedTwice = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = clock.AddBusyProbe(() =>
        {
            if (Volatile.Read(ref watching) == 1 && Interlocked.Increment(ref looks) >= 2)
            {
                lookedTwice.TrySetResult();
            }
            return false;
        });
        using var host = new GrblPtyHost(clock, new GrblOptions(), powerOn: false);
        using var port = new SerialPort(host.PortPath, 115200) { ReadTimeout = (int)SerialSession.Guard.TotalMilliseconds };
        port.Open();
        var session = host.Opened();
        // Keeps the scheduler considering jumps after the bound, so that a wrong jump is seen, not just a hang.
        using var later = clock.CreateTimer(_ => { }, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);

        // The station announces '?', arms its 5 s round-trip bound and is then descheduled (or the kernel has not
        // moved the byte on yet) for longer than the quiet window: the byte is in no queue the clock can see.
        session.Writing(1);
        var armedAt = clock.Elapsed;
        var bound = Task.Delay(TimeSpan.FromSeconds(5), clock);
        Volatile.Write(ref watching, 1);
        await lookedTwice.Task.WaitAsync(SerialSession.Guard);
        Assert.True(clock.Elapsed < armedAt + TimeSpan.FromSeconds(5), $"virtual time jumped to {clock.Elapsed} with the request unwritten");
        Assert.False(bound.IsCompleted);

        // The byte arrives; the controller answers with a status report, which the station reads and routes.
        port.BaseStream.Write("?"u8);
        var handled = 0L;
        var reply = new List<byte>();
        while (reply.Count == 0 || reply[^1] != (byte)'\n')
        {
            var b = port.BaseStream.ReadByte();
            Assert.NotEqual(-1, b);
            reply.Add((byte)b);
            handled++;
        }
        Assert.StartsWith("<", System.Text.Encoding.ASCII.GetString([.. reply]), StringComparison.Ordinal);
        session.Handled(handled);

        // Nothing is in flight any more: time runs on to the bound.
        await bound.WaitAsync(SerialSession.Guard);
        Assert.True(clock.Elapsed >= armedAt + TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_write_reported_as_failed_releases_the_hold()
    {
        using var clock = new SimulationClock();
        using var host = new GrblPtyHost(clock, new GrblOptions(), powerOn: false);
        using var port = new SerialPort(host.PortPath, 115200);
        port.Open();
        var session = host.Opened();

        session.Writing(3);
        session.Writing(0); // the write failed before any byte reached the port
        var armedAt = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(5), clock).WaitAsync(SerialSession.Guard);
        Assert.True(clock.Elapsed >= armedAt + TimeSpan.FromSeconds(5));
    }
}
