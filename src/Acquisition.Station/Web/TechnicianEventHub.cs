using System.Threading.Channels;

namespace Acquisition.Station.Web;

/// <summary>
/// Fans events out to every open event stream of the page (one per browser tab). Publishing never blocks: a stream
/// that falls behind loses its oldest events, which for progress snapshots only skips intermediate states.
/// </summary>
public sealed class TechnicianEventHub
{
    private const int QueuePerSubscriber = 256;
    private readonly Lock _gate = new();
    private readonly List<Channel<TechnicianEvent>> _subscribers = [];

    public void Publish(TechnicianEvent e)
    {
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(e);
            }
        }
    }

    /// <summary>A new subscription; dispose it when the stream closes.</summary>
    public Subscription Subscribe()
    {
        var channel = Channel.CreateBounded<TechnicianEvent>(new BoundedChannelOptions(QueuePerSubscriber)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }
        return new Subscription(this, channel);
    }

    public int SubscriberCount
    {
        get { lock (_gate) { return _subscribers.Count; } }
    }

    private void Remove(Channel<TechnicianEvent> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }
        channel.Writer.TryComplete();
    }

    /// <summary>One stream's queue of events.</summary>
    public sealed class Subscription(TechnicianEventHub hub, Channel<TechnicianEvent> channel) : IDisposable
    {
        public ChannelReader<TechnicianEvent> Reader => channel.Reader;

        public void Dispose() => hub.Remove(channel);
    }
}
