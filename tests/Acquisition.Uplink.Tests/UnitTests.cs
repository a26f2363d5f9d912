using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Acquisition.Uplink.Tests;

public sealed class UnitTests
{
    [Fact]
    public void Bearer_challenge_parameters_are_parsed_with_commas_inside_quotes()
    {
        var p = RegistryAuthHandler.ParseChallenge("realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push\"");
        Assert.Equal("https://auth.example/token", p["realm"]);
        Assert.Equal("registry.example", p["service"]);
        Assert.Equal("repository:a/b:pull,push", p["scope"]);
    }

    [Fact]
    public void Credentials_never_show_in_their_text_form()
    {
        var c = new RegistryCredentials("station07", "hunter2", null);
        Assert.DoesNotContain("hunter2", c.ToString());
        Assert.DoesNotContain("station07", c.ToString());
        Assert.DoesNotContain("tok-secret", new RegistryCredentials(bearerToken: "tok-secret").ToString());
    }

    [Fact]
    public async Task The_bandwidth_limit_paces_a_chunk_on_the_injected_clock()
    {
        var clock = new FakeTimeProvider();
        var data = new byte[256 * 1024];
        var content = new ThrottledContent(data, bytesPerSecond: 64 * 1024, clock);
        using var sink = new MemoryStream();
        var copy = content.CopyToAsync(sink);
        // 256 KiB at 64 KiB/s needs 4 s: without the clock moving, at most the first 64 KiB slice goes out.
        Assert.False(copy.IsCompleted);
        Assert.True(sink.Length <= 64 * 1024, $"{sink.Length} bytes went out before any time passed");
        // Continuations run on the thread pool, so the clock moves in small steps until the copy is done.
        for (var i = 0; i < 100_000 && !copy.IsCompleted; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Yield();
        }
        await copy.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(data.Length, sink.Length);
        Assert.True(clock.GetUtcNow() - clock.Start >= TimeSpan.FromSeconds(3), "the copy finished before 3 s of clock time");
    }

    [Fact]
    public async Task Basic_credentials_failure_reason_does_not_contain_the_password()
    {
        await using var stub = new RegistryProxy(new Uri("http://127.0.0.1:9"));
        stub.Intercept = _ => StubReply.Error(401, "UNAUTHORIZED", "no", ("WWW-Authenticate", "Basic realm=\"r\""));
        var options = UplinkRig.Options1(UplinkRig.RegistryDestination("national", stub.Url));
        using var http = new HttpClient(new RegistryAuthHandler(new RegistryCredentials("station07", "hunter2"), TimeProvider.System) { InnerHandler = new SocketsHttpHandler() });
        var client = new RegistryClient(http, stub.Url, "acquisition/captures", TimeProvider.System);
        var ex = await Assert.ThrowsAsync<UplinkFailureException>(() => client.StartUploadAsync(CancellationToken.None));
        Assert.Equal(UplinkFailureKind.Authentication, ex.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, ex.Status);
        Assert.DoesNotContain("hunter2", ex.Message + ex.ServerError);
        // It did offer the credentials once (Basic), and gave up instead of looping.
        Assert.Equal(2, stub.Requests.Count);
        Assert.StartsWith("Basic ", stub.Requests[1].Headers["Authorization"]);
    }
}
