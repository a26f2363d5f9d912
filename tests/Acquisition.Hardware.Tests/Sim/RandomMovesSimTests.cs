using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests.Sim;

public class RandomMovesSimTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_hundred_seeded_random_moves_end_with_the_true_step_counters_within_one_step_of_the_target()
    {
        // Polling every 5 s of virtual time keeps the run short; moves here last under 3 s.
        await using var bench = await GrblBench.StartAsync(o => o.MotionPollInterval = TimeSpan.FromSeconds(5), output: output);
        var random = new Random(20261123);
        var target = bench.Stage.Status.Position;
        for (var i = 0; i < 200; i++)
        {
            if (i % 4 == 3)
            {
                target = target.With(Axis.Z, new Micrometres(-random.Next(1_100, 10_000) - random.NextDouble()));
                await bench.Stage.MoveZFromBelowAsync(target.Z, CancellationToken.None).WaitAsync(GrblBench.Guard);
            }
            else
            {
                target = StagePosition.FromMicrometres(
                    -random.Next(1_000, 20_000) - random.NextDouble(),
                    -random.Next(1_000, 20_000) - random.NextDouble(),
                    -random.Next(1_000, 10_000) - random.NextDouble());
                await bench.Stage.MoveToAsync(target, CancellationToken.None).WaitAsync(GrblBench.Guard);
            }
        }
        var trueSteps = bench.Controller.TrueSteps;
        var stepsPerMm = new[] { 800.0, 800.0, 3200.0 };
        for (var axis = 0; axis < 3; axis++)
        {
            var wanted = target[(Axis)axis].Millimetres * stepsPerMm[axis];
            output.WriteLine($"{(Axis)axis}: true steps {trueSteps[axis]}, target {wanted:0.##} steps");
            Assert.InRange(trueSteps[axis], wanted - 1, wanted + 1);
        }
        Assert.Equal(bench.Controller.ReportedSteps, trueSteps);
        Assert.Equal(0, bench.Stage.GarbageLinesReceived);
    }
}
