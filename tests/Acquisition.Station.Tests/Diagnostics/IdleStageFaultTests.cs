using System.Net;
using System.Net.Http.Json;
using Acquisition.Core.Control;
using Acquisition.Core.Hardware;
using Acquisition.Core.Station;
using Acquisition.HardwareSim;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Acquisition.Station.Tests.Diagnostics;

/// <summary>A stage fault while nothing runs: the station says so itself, and homing clears it.</summary>
public sealed class IdleStageFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_controller_reset_while_idle_puts_the_station_in_Fault_and_homing_from_the_socket_makes_it_Ready()
    {
        var station = new SimStation();
        await station.InitializeAsync();
        try
        {
            var machine = station.Get<StationStateMachine>();
            var bench = station.Get<SimulatedBench>();
            var light = station.Get<IRingLight>();
            Assert.Equal(StationState.Ready, machine.State);
            using var client = station.CreateClient();
            using (var on = await client.PutAsync(ControlApiRoutes.Lights, JsonContent.Create(new LightsRequest([0, 4], 0.3), options: ControlApiJson.Options)))
            {
                Assert.True(on.StatusCode == HttpStatusCode.OK, await on.Content.ReadAsStringAsync());
            }
            Assert.False(light.Current.IsOff);
            var logs = new LogRecorder();
            station.Get<ILoggerFactory>().AddProvider(logs);
            var off = logs.WaitFor((_, message) => message.StartsWith("Stage fault while idle: lights", StringComparison.Ordinal));
            var fault = machine.WaitForAsync(StationState.Fault, CancellationToken.None);

            bench.Faults.Set("controller-reset", true);

            var change = await fault.WaitAsync(SimStation.Guard);
            output.WriteLine(change.Reason);
            Assert.Equal(StationState.Ready, change.From);
            Assert.StartsWith("stage fault while idle: The motion controller on ", change.Reason, StringComparison.Ordinal);
            Assert.Contains("reset unexpectedly", change.Reason, StringComparison.Ordinal);
            Assert.Equal("Stage fault while idle: lights off.", await off.WaitAsync(SimStation.Guard));
            Assert.True(light.Current.IsOff, light.Current.ToString());

            using var home = await client.PostAsync(ControlApiRoutes.StageHome, null);
            Assert.True(home.StatusCode == HttpStatusCode.OK, await home.Content.ReadAsStringAsync());
            Assert.Equal(StationState.Ready, machine.State);
            Assert.Contains("was Fault: stage fault while idle", machine.LastChange.Reason, StringComparison.Ordinal);
        }
        finally
        {
            await station.DisposeAsync();
        }
    }
}
