using System.Net;

namespace Acquisition.Uplink;

/// <summary>
/// A chunk body that can be re-sent (for auth retries) and, when a bandwidth limit is set, paces itself in 64 KiB
/// slices on the injected clock so a station on a thin line leaves room for other traffic.
/// </summary>
internal sealed class ThrottledContent : HttpContent
{
    private const int SliceBytes = 64 * 1024;
    private readonly ReadOnlyMemory<byte> _data;
    private readonly long? _bytesPerSecond;
    private readonly TimeProvider _time;

    public ThrottledContent(ReadOnlyMemory<byte> data, long? bytesPerSecond, TimeProvider time)
    {
        _data = data;
        _bytesPerSecond = bytesPerSecond;
        _time = time;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_bytesPerSecond is not { } rate || rate <= 0)
        {
            await stream.WriteAsync(_data, cancellationToken).ConfigureAwait(false);
            return;
        }
        var start = _time.GetTimestamp();
        long sent = 0;
        while (sent < _data.Length)
        {
            var n = (int)Math.Min(SliceBytes, _data.Length - sent);
            await stream.WriteAsync(_data.Slice((int)sent, n), cancellationToken).ConfigureAwait(false);
            sent += n;
            var due = TimeSpan.FromSeconds((double)sent / rate);
            var wait = due - _time.GetElapsedTime(start);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _data.Length;
        return true;
    }
}
