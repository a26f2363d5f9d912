using System.Globalization;
using System.IO.Ports;
using System.Text;
using System.Threading.Channels;
using Acquisition.HardwareSim.Clock;

namespace Acquisition.HardwareSim.Tests;

/// <summary>
/// The station's side of the wire in tests: a real System.IO.Ports.SerialPort on the simulator's pty, with a
/// reader thread that queues every received line stamped with the simulation clock.
/// </summary>
internal sealed class SerialSession : IDisposable
{
    // A failure guard only, 60 s as for all real I/O: at a load average of ~60 on 2 cores, a homing test once ran
    // into the former 30 s guard (not reproduced in 8 isolated runs).
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly SerialPort _port;
    private readonly Channel<(string Line, DateTimeOffset At)> _lines = Channel.CreateUnbounded<(string, DateTimeOffset)>();
    private readonly Task _reader;
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _clock;
    private readonly Queue<string> _recent = new();

    public SerialSession(string path, TimeProvider clock)
    {
        _clock = clock;
        // No read timeout: System.IO.Ports on Unix loses the bytes of a read that times out just as they arrive
        // (its I/O thread has taken them from the kernel, the timed-out caller never sees them). A 100 ms timeout
        // polled in a loop lost a homing "ok" once in CI; reproduced at about 1 byte in 200 sent at the timeout
        // instant. The station's GrblStage reads the same way as here: ReadAsync, cancelled only at close.
        _port = new SerialPort(path, 115200) { WriteTimeout = 5000, Encoding = Encoding.Latin1 };
        _port.Open();
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Appended to a timeout's message: the simulator's own account of why nothing came (clock, controller).</summary>
    public Func<string>? DescribeSimulator { get; set; }

    public void Send(string line)
    {
        Note("> " + line);
        _port.Write(line + "\n");
    }

    public void SendRaw(params byte[] bytes) => _port.Write(bytes, 0, bytes.Length);

    public async Task<(string Line, DateTimeOffset At)> NextAsync()
    {
        using var cts = new CancellationTokenSource(Guard);
        try
        {
            return await _lines.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // The lines before the silence tell a lost command from a failed one (an alarm and a reset banner).
            string[] recent;
            lock (_recent)
            {
                recent = [.. _recent];
            }
            throw new TimeoutException(
                $"No line from the simulator within the guard time ({Guard.TotalSeconds:0} s; simulated time now "
                + $"{_clock.GetUtcNow():O}). Last lines received: "
                + (recent.Length == 0 ? "none" : string.Join(" | ", recent))
                + (DescribeSimulator is { } describe ? ". Simulator: " + describe() : "")
                + (_clock is SimulationClock sim ? ". Clock: " + sim.DescribeState() : ""));
        }
    }

    public async Task<string> NextLineAsync() => (await NextAsync()).Line;

    /// <summary>Skips lines until one matches; returns it (the skipped ones are returned too, for assertions).</summary>
    public async Task<(string Line, List<string> Skipped)> UntilAsync(Func<string, bool> match)
    {
        var skipped = new List<string>();
        while (true)
        {
            var line = await NextLineAsync();
            if (match(line))
            {
                return (line, skipped);
            }
            skipped.Add(line);
        }
    }

    /// <summary>Sends a command and collects lines up to its ok/error (status reports in between are dropped).</summary>
    public async Task<List<string>> CommandAsync(string line)
    {
        Send(line);
        var lines = new List<string>();
        while (true)
        {
            var l = await NextLineAsync();
            if (l.StartsWith('<'))
            {
                continue;
            }
            lines.Add(l);
            if (l == "ok" || l.StartsWith("error:", StringComparison.Ordinal))
            {
                return lines;
            }
        }
    }

    /// <summary>Sends '?' and returns the next status report.</summary>
    public async Task<string> StatusAsync()
    {
        SendRaw((byte)'?');
        return (await UntilAsync(l => l.StartsWith('<'))).Line;
    }

    /// <summary>
    /// Polls '?' every 50 ms of simulated time until the state field starts with <paramref name="state"/>. The wait
    /// between polls is on the simulation clock: a poll loop without it would never let virtual time move.
    /// </summary>
    public async Task<string> WaitForStateAsync(string state)
    {
        var deadline = DateTime.UtcNow + Guard; // wall-clock failure guard only
        string last = "";
        while (true)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"State {state} not reached; last status {last}.");
            }
            var s = await StatusAsync();
            last = s;
            if (s.StartsWith("<" + state, StringComparison.Ordinal))
            {
                return s;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), _clock).WaitAsync(Guard);
        }
    }

    /// <summary>Waits for the power-up banner the controller printed when it started.</summary>
    public async Task BannerAsync() => await UntilAsync(l => l.StartsWith("Grbl 1.1h", StringComparison.Ordinal));

    /// <summary>Resets the controller and waits for its banner (skipping anything before).</summary>
    public async Task<List<string>> ResetAsync()
    {
        SendRaw(0x18);
        var (_, skipped) = await UntilAsync(l => l.StartsWith("Grbl 1.1h", StringComparison.Ordinal));
        return skipped;
    }

    public static double[] Mpos(string status)
    {
        var start = status.IndexOf("MPos:", StringComparison.Ordinal) + 5;
        var end = status.IndexOf('|', start);
        return status[start..end].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _reader.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The reader ends with the port; how it ended does not matter at close.
        }
        _port.Dispose();
        _stop.Dispose();
    }

    private void Note(string text)
    {
        var entry = string.Create(CultureInfo.InvariantCulture, $"{_clock.GetUtcNow():HH:mm:ss.fff} {text}");
        lock (_recent)
        {
            _recent.Enqueue(entry);
            while (_recent.Count > 16)
            {
                _recent.Dequeue();
            }
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[256];
        var line = new StringBuilder();
        while (!_stop.IsCancellationRequested)
        {
            int n;
            try
            {
                n = await _port.BaseStream.ReadAsync(buffer, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or UnauthorizedAccessException or ObjectDisposedException)
            {
                // The port went away (unplugged): end the reader; tests see no more lines.
                return;
            }
            if (n == 0)
            {
                return;
            }
            var at = _clock.GetUtcNow();
            for (var i = 0; i < n; i++)
            {
                var c = (char)buffer[i]; // Latin-1: every byte one character, junk included
                if (c != '\n')
                {
                    line.Append(c);
                    continue;
                }
                var text = line.ToString().TrimEnd('\r');
                line.Clear();
                Note(text);
                _lines.Writer.TryWrite((text, at));
            }
        }
    }
}
