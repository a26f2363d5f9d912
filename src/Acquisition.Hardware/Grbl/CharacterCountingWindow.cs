namespace Acquisition.Hardware.Grbl;

/// <summary>
/// GRBL's character-counting flow control: the sender tracks the bytes of every line GRBL has not yet acknowledged
/// and sends the next line only when it fits into the controller's receive buffer. Each ok/error frees the oldest.
/// Not thread-safe: the stage guards it with its own lock.
/// </summary>
public sealed class CharacterCountingWindow
{
    private readonly Queue<int> _inFlight = new();

    public CharacterCountingWindow(int receiveBufferBytes = 128)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(receiveBufferBytes, 16);
        Capacity = receiveBufferBytes;
    }

    public int Capacity { get; }

    public int BytesInFlight { get; private set; }

    public int LinesInFlight => _inFlight.Count;

    /// <summary>True when a line of <paramref name="lineBytes"/> (including its newline) fits now.</summary>
    public bool Fits(int lineBytes) => BytesInFlight + lineBytes <= Capacity;

    public void Sent(int lineBytes)
    {
        if (lineBytes > Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(lineBytes), lineBytes, $"A line of {lineBytes} bytes can never fit GRBL's {Capacity}-byte receive buffer.");
        }
        _inFlight.Enqueue(lineBytes);
        BytesInFlight += lineBytes;
    }

    /// <summary>An ok or error:N arrived: the oldest line left GRBL's receive buffer. Returns false when none was in flight.</summary>
    public bool Acknowledged()
    {
        if (!_inFlight.TryDequeue(out var bytes))
        {
            return false;
        }
        BytesInFlight -= bytes;
        return true;
    }

    /// <summary>GRBL reset: its receive buffer is empty and no acknowledgement will come.</summary>
    public void Clear()
    {
        _inFlight.Clear();
        BytesInFlight = 0;
    }
}
