// Composition root of the station daemon; see docs/architecture.md.
var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
await app.RunAsync();
