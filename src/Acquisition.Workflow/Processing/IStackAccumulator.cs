using Acquisition.Core.Hardware;
using Acquisition.Core.Units;

namespace Acquisition.Workflow.Processing;

/// <summary>
/// The streaming focus stacker as the workflow uses it: frames arrive one at a time, interleaved by lighting, with the
/// stage Z they were taken at; state does not grow with the number of slices. Implemented over the imaging
/// library's stacker; kept here so the sequence can be tested without it.
/// </summary>
public interface IStackAccumulator : IDisposable
{
    /// <summary>Adds one frame. Called from one consumer thread, in slice order.</summary>
    void Add(int lightingIndex, Frame frame, Micrometres z);

    /// <summary>Finishes the stack. Throws <see cref="InvalidOperationException"/> when registration failed, with the reason.</summary>
    RegionStackResult Complete();
}
