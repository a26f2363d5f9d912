namespace Acquisition.Uplink;

/// <summary>Somewhere a capture artifact is delivered: a registry, or an OCI image layout directory.</summary>
public interface IUplinkDestination
{
    string Name { get; }

    /// <summary>
    /// Pushes the artifact (resuming from the progress recorded in the outbox), then reads it back and returns the
    /// manifest digest found at the destination. Throws <see cref="UplinkFailureException"/> on failure.
    /// </summary>
    Task<string> DeliverAsync(OutboxDelivery delivery, OciArtifact artifact, Outbox outbox, CancellationToken cancellationToken);
}
