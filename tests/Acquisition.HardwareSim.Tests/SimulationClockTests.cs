using Acquisition.HardwareSim.Clock;

namespace Acquisition.HardwareSim.Tests;

public sealed class SimulationClockTests
{
    private static SimulationClock Manual() => new(new SimulationClockOptions { AutoAdvance = false });

    [Fact]
    public async Task Task_delay_completes_exactly_when_virtual_time_reaches_it()
    {
        using var clock = Manual();
        var delay = Task.Delay(TimeSpan.FromSeconds(5), clock);
        clock.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(delay.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        await delay.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(5), clock.Elapsed);
    }

    [Fact]
    public void Describe_state_names_what_holds_time_still()
    {
        using var clock = Manual();
        clock.Advance(TimeSpan.FromSeconds(1.5));
        using var timer = clock.CreateTimer(_ => { }, null, TimeSpan.FromMilliseconds(250), Timeout.InfiniteTimeSpan);
        var vetoed = true;
        using var probe = clock.AddBusyProbe(() => vetoed);
        using (clock.Busy())
        {
            var held = clock.DescribeState();
            Assert.Contains("virtual clock at 1.500 s", held);
            Assert.Contains("1 timer(s) armed, next due in 250 ms", held);
            Assert.Contains("1 busy lease(s)", held);
            Assert.Contains("a busy probe vetoes jumps", held);
        }
        vetoed = false;
        var free = clock.DescribeState();
        Assert.Contains("0 busy lease(s)", free);
        Assert.Contains("no probe is busy", free);
    }

    [Fact]
    public void Cancellation_token_source_with_the_clock_cancels_on_virtual_time()
    {
        using var clock = Manual();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3), clock);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cts.IsCancellationRequested);
        Assert.True(clock.AdvanceToNextTimer());
        Assert.True(cts.IsCancellationRequested);
        Assert.Equal(TimeSpan.FromSeconds(3), clock.Elapsed);
    }

    [Fact]
    public async Task Periodic_timer_ticks_once_per_period()
    {
        using var clock = Manual();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200), clock);
        for (var i = 1; i <= 3; i++)
        {
            var tick = timer.WaitForNextTickAsync().AsTask();
            Assert.False(tick.IsCompleted);
            clock.Advance(TimeSpan.FromMilliseconds(200));
            Assert.True(await tick.WaitAsync(TimeSpan.FromSeconds(30)));
        }
        Assert.Equal(TimeSpan.FromMilliseconds(600), clock.Elapsed);
    }

    [Fact]
    public async Task Auto_advance_jumps_an_hour_once_everyone_waits()
    {
        using var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        await Task.Delay(TimeSpan.FromHours(1), clock).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromHours(1), clock.GetUtcNow() - start);
        Assert.Equal(TimeSpan.FromHours(1).Ticks, clock.GetElapsedTime(0).Ticks);
    }

    [Fact]
    public async Task Timers_fire_in_due_order()
    {
        using var clock = new SimulationClock();
        var order = new List<int>();
        var tasks = new[] { 3, 1, 2 }.Select(async s =>
        {
            await Task.Delay(TimeSpan.FromSeconds(s), clock);
            lock (order)
            {
                order.Add(s);
            }
        }).ToArray();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal([1, 2, 3], order);
    }

    [Fact]
    public async Task A_busy_probe_vetoes_the_jump_until_it_reports_idle()
    {
        using var clock = new SimulationClock();
        var busyCalls = 0;
        var delay = Task.Delay(TimeSpan.FromSeconds(1), clock);
        var sawBusy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completedWhileBusy = false;
        using var probe = clock.AddBusyProbe(() =>
        {
            if (Interlocked.Increment(ref busyCalls) <= 3)
            {
                completedWhileBusy |= delay.IsCompleted;
                if (busyCalls == 3)
                {
                    sawBusy.TrySetResult();
                }
                return true;
            }
            return false;
        });
        await sawBusy.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await delay.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(completedWhileBusy);
    }

    [Fact]
    public async Task Delay_then_hold_returns_holding_the_clock_at_the_exact_moment()
    {
        using var clock = new SimulationClock();
        var start = clock.GetUtcNow();
        var later = Task.Delay(TimeSpan.FromSeconds(2), clock);
        using (await clock.DelayThenHoldAsync(TimeSpan.FromSeconds(1), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)))
        {
            Assert.Equal(TimeSpan.FromSeconds(1), clock.GetUtcNow() - start);
            Assert.False(later.IsCompleted);
        }
        await later.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Real_time_clock_stands_still_while_paused()
    {
        using var clock = new SimulationClock(new SimulationClockOptions { Mode = ClockMode.RealTime });
        DateTimeOffset frozen;
        using (clock.Pause())
        {
            frozen = clock.GetUtcNow();
            // Real work of the simulator (here: a real-time timer on the system clock) does not move simulated time.
            await Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System);
            Assert.Equal(frozen, clock.GetUtcNow());
        }
        await Task.Delay(TimeSpan.FromMilliseconds(5), clock).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(clock.GetUtcNow() > frozen);
        Assert.True(clock.GetUtcNow() - frozen < TimeSpan.FromSeconds(20));
        Assert.Throws<InvalidOperationException>(() => clock.Advance(TimeSpan.FromSeconds(1)));
    }
}
