using System.Security.Cryptography;
using Acquisition.Core.Storage;

namespace Acquisition.Core.Tests;

public sealed class DurableFileWriterTests : IDisposable
{
    private readonly DataDirectory _data = new DataDirectory(Directory.CreateTempSubdirectory("data-").FullName).EnsureCreated();

    public void Dispose() => Directory.Delete(_data.Root, recursive: true);

    [Fact]
    public async Task Writes_the_file_returns_its_sha256_and_leaves_no_temp_file()
    {
        var writer = new DurableFileWriter(_data);
        var content = RandomNumberGenerator.GetBytes(100_000);
        var target = Path.Combine(_data.Packages, "c1", "frame.bin");

        var hash = await writer.WriteAsync(target, content, CancellationToken.None);

        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(content)), hash);
        Assert.Empty(Directory.GetFiles(_data.Tmp));
    }

    [Fact]
    public async Task Never_overwrites_an_existing_file()
    {
        var writer = new DurableFileWriter(_data);
        var target = Path.Combine(_data.Packages, "c2.json");
        await writer.WriteAsync(target, "original"u8.ToArray(), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<IOException>(() => writer.WriteAsync(target, "changed"u8.ToArray(), CancellationToken.None));

        Assert.Contains("Refusing to overwrite", ex.Message, StringComparison.Ordinal);
        Assert.Equal("original", await File.ReadAllTextAsync(target));
    }

    [Fact]
    public async Task A_failing_producer_leaves_neither_target_nor_temp()
    {
        var writer = new DurableFileWriter(_data);
        var target = Path.Combine(_data.Packages, "c3.bin");

        await Assert.ThrowsAsync<InvalidOperationException>(() => writer.WriteAsync(target, async (s, ct) =>
        {
            await s.WriteAsync(new byte[10], ct);
            throw new InvalidOperationException("camera lost");
        }, CancellationToken.None));

        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(_data.Tmp));
    }

    [Fact]
    public void Keys_directory_is_private()
    {
        var mode = File.GetUnixFileMode(_data.Keys);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, mode);
    }

    [Fact]
    public async Task New_directories_on_the_way_are_made_durable_in_their_parents()
    {
        var fs = new RecordingFileSystem();
        var writer = new DurableFileWriter(_data, fs);
        var path = Path.Combine(_data.Calibration, "pixel-size", "files", "record.json");

        await writer.WriteAsync(path, "{}"u8.ToArray(), CancellationToken.None);

        // Each new level's entry is synced in its parent, outermost first, before the file's own rename is synced.
        Assert.Equal([_data.Calibration, Path.Combine(_data.Calibration, "pixel-size"), Path.Combine(_data.Calibration, "pixel-size", "files"), _data.Tmp],
            fs.SyncedDirectories);
    }

    private sealed class RecordingFileSystem : IDurableFileSystem
    {
        private readonly PosixDurableFileSystem _real = new();

        public List<string> SyncedDirectories { get; } = [];

        public Stream CreateNew(string path) => _real.CreateNew(path);

        public Stream OpenAppend(string path) => _real.OpenAppend(path);

        public void Sync(Stream stream) => _real.Sync(stream);

        public void RenameNoReplace(string from, string to) => _real.RenameNoReplace(from, to);

        public void SyncDirectory(string directory)
        {
            SyncedDirectories.Add(directory);
            _real.SyncDirectory(directory);
        }
    }
}
