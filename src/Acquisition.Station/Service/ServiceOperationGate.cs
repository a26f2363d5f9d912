namespace Acquisition.Station.Service;

/// <summary>One calibration or verification at a time: two would fight over the stage and the lights.</summary>
public sealed class ServiceOperationGate
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public bool TryEnter() => _gate.Wait(0);

    public void Exit() => _gate.Release();
}
