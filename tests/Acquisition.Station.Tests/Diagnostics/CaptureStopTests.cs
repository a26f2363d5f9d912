using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.Station.Capture;
using Acquisition.Workflow.Capture;
using Acquisition.Workflow.Capture.Record;
using Xunit.Abstractions;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>A stop (SIGTERM, systemctl stop) while a capture started through the control API runs.</summary>
public sealed class CaptureStopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stopping_the_station_aborts_a_capture_started_through_the_control_api_and_leaves_the_lights_off()
    {
        var station = new SimStation();
        await station.InitializeAsync();
        try
        {
            var sequence = station.Get<CaptureSequence>();
            var light = station.Get<IRingLight>();
            var machine = station.Get<StationStateMachine>();
            var running = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var finished = new TaskCompletionSource<CaptureOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            sequence.Progress += (_, p) =>
            {
                if (p.Phase == CapturePhase.LocatingPrimer)
                {
                    running.TrySetResult();
                }
            };
            sequence.Finished += (_, o) => finished.TrySetResult(o);
            using (var inserted = new PanelEventWaiter(station.Get<IOperatorPanel>(), PanelEventKind.CasingInserted))
            {
                station.Get<Acquisition.HardwareSim.SimulatedBench>().InsertCasing();
                await inserted.Seen.WaitAsync(SimStation.Guard);
            }
            using var client = station.CreateClient();
            // The endpoint runs the capture on no request's token: it outlives the request.
            var request = client.PostAsync("/capture", null);
            if (await Task.WhenAny(running.Task, request).WaitAsync(SimStation.Guard) == request)
            {
                Assert.Fail($"the capture ended before it located the primer: {await (await request).Content.ReadAsStringAsync()}");
            }

            await station.App.StopAsync();

            var outcome = await finished.Task.WaitAsync(SimStation.Guard);
            output.WriteLine($"{outcome.Status}: {string.Join("; ", outcome.Record.Reasons)}");
            Assert.Equal(CaptureStatus.Aborted, outcome.Status);
            Assert.Equal(CaptureStopService.Reason, outcome.Record.Reasons[0]);
            Assert.False(sequence.IsRunning);
            Assert.True(light.Current.IsOff, light.Current.ToString());
            Assert.Equal(StationState.Stopping, machine.State);
            try
            {
                using var answer = await request.WaitAsync(SimStation.Guard);
                output.WriteLine($"POST /capture answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            }
            catch (HttpRequestException ex)
            {
                output.WriteLine("POST /capture lost its connection with the stop: " + ex.Message);
            }
        }
        finally
        {
            await station.DisposeAsync();
        }
    }
}
