using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Acquisition.Console.Tests;

/// <summary>
/// A stand-in for the station daemon: a real Kestrel server on a real Unix socket that answers each
/// "METHOD /path" with a canned response and records what it was sent. It is the seam between the console and the
/// daemon (whose endpoints are not on this branch), so it proves the client side and the wire contract only.
/// </summary>
internal sealed class FakeStation : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private FakeStation(string socketPath, WebApplication app)
    {
        SocketPath = socketPath;
        _app = app;
    }

    public string SocketPath { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static async Task<FakeStation> StartAsync()
    {
        // sun_path holds 108 bytes: keep the path short.
        var path = Path.Combine(Path.GetTempPath(), "acqt-" + Guid.NewGuid().ToString("N")[..12] + ".sock");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(o => o.ListenUnixSocket(path));
        var app = builder.Build();
        var station = new FakeStation(path, app);
        app.Run(station.HandleAsync);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token).ConfigureAwait(false);
        return station;
    }

    public FakeStation On(string method, string pathAndQuery, Func<HttpContext, Task> handler)
    {
        _routes[method + " " + pathAndQuery] = handler;
        return this;
    }

    public FakeStation OnJson(string method, string pathAndQuery, string json, int status = 200) =>
        On(method, pathAndQuery, async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(json).ConfigureAwait(false);
        });

    public FakeStation OnProblem(string method, string pathAndQuery, int status, string title, string detail, string? errorsJson = null) =>
        On(method, pathAndQuery, async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/problem+json";
            var errors = errorsJson is null ? "" : ",\"errors\":" + errorsJson;
            await ctx.Response.WriteAsync($$"""{"type":"about:blank","title":"{{title}}","status":{{status}},"detail":"{{detail}}"{{errors}}}""").ConfigureAwait(false);
        });

    /// <summary>Answers with an application/x-ndjson event stream, one line per event, flushed one by one.</summary>
    public FakeStation OnEvents(string method, string pathAndQuery, params string[] lines) =>
        On(method, pathAndQuery, async ctx =>
        {
            ctx.Response.StatusCode = 200;
            ctx.Response.ContentType = "application/x-ndjson";
            foreach (var line in lines)
            {
                await ctx.Response.WriteAsync(line + "\n").ConfigureAwait(false);
                await ctx.Response.Body.FlushAsync().ConfigureAwait(false);
            }
        });

    public RecordedRequest Single(string method, string path)
    {
        var matches = Requests.Where(r => r.Method == method && r.Path == path).ToList();
        Assert.True(matches.Count == 1, $"expected one {method} {path}, got {matches.Count}: {string.Join(", ", Requests.Select(r => r.Method + " " + r.Path + r.Query))}");
        return matches[0];
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        Requests.Enqueue(new RecordedRequest(ctx.Request.Method, ctx.Request.Path.Value ?? "", ctx.Request.QueryString.Value ?? "", body,
            ctx.Request.Headers.Accept.ToString(), ctx.Request.ContentType));
        var key = ctx.Request.Method + " " + ctx.Request.Path.Value + ctx.Request.QueryString.Value;
        if (_routes.TryGetValue(key, out var handler))
        {
            await handler(ctx).ConfigureAwait(false);
            return;
        }
        ctx.Response.StatusCode = 404;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        File.Delete(SocketPath);
    }
}

/// <summary>One request the stand-in station received.</summary>
internal sealed record RecordedRequest(string Method, string Path, string Query, string Body, string Accept, string? ContentType);
