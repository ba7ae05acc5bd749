using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Loop.IntegrationTests.Framework;

/// <summary>DurableFile on io_uring and on plain writes: content, the one FSYNC, errors, rename.</summary>
public sealed class DurableFileTests : IDisposable
{
    private const int MiB = 1 << 20;
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("loop-durable-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Appended_chunks_of_every_size_read_back_byte_exact(bool useIoUring)
    {
        var random = new Random(42);
        int[] sizes = [1, 7, MiB - 1, 1, 3 * MiB + 5, 4096, 2 * MiB, 12345, MiB, 1, 5 * MiB / 2];
        var chunks = sizes.Concat(Enumerable.Range(0, 64).Select(_ => random.Next(1, 64 * 1024)))
            .Select(size => { var bytes = new byte[size]; random.NextBytes(bytes); return bytes; }).ToList();
        var expected = chunks.SelectMany(c => c).ToArray();
        Assert.True(expected.Length > 8 * MiB);
        var path = Path.Combine(_directory.FullName, "dump.rdb");

        OnOwnThread(() =>
        {
            using var file = DurableFile.Create(path, useIoUring);
            Assert.Equal(useIoUring, file.UsesIoUring); // io_uring is available on the machines this suite runs on
            foreach (var chunk in chunks) { file.Append(chunk); }
            Assert.Equal(expected.Length, file.Length);
            file.Commit();
        });

        Assert.True(File.ReadAllBytes(path).AsSpan().SequenceEqual(expected));
    }

    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 100)]
    [InlineData(true, 2 * MiB)]
    [InlineData(true, 5 * MiB + 3)]
    [InlineData(false, 0)]
    [InlineData(false, 5 * MiB + 3)]
    public void Commit_issues_exactly_one_fsync(bool useIoUring, int length)
    {
        var path = Path.Combine(_directory.FullName, "dump.rdb");
        OnOwnThread(() =>
        {
            using var file = DurableFile.Create(path, useIoUring);
            file.Append(new byte[length]);
            Assert.Equal(0, file.SyncsIssued);
            file.Commit();
            Assert.Equal(1, file.SyncsIssued);
        });
        Assert.Equal(length, new FileInfo(path).Length);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_path_in_a_missing_directory_fails_naming_the_path(bool useIoUring)
    {
        var path = Path.Combine(_directory.FullName, "missing", "dump.rdb");
        var error = Assert.Throws<IOException>(() => DurableFile.Create(path, useIoUring));
        Assert.Contains(path, error.Message);
        Assert.Contains("No such file or directory", error.Message);
    }

    [Theory]
    [InlineData(true, MiB / 2)]
    [InlineData(true, 3 * MiB / 2)]
    [InlineData(true, 8 * MiB)]
    [InlineData(false, 3 * MiB / 2)]
    [InlineData(false, 8 * MiB)]
    public void A_full_filesystem_fails_with_ENOSPC_and_stays_failed(bool useIoUring, int length)
    {
        using var full = FullFile.Create(_directory.FullName);
        OnOwnThread(() =>
        {
            using var file = DurableFile.Create(full.Path, useIoUring);
            Assert.Equal(useIoUring, file.UsesIoUring);
            // Half a MiB fails only in Commit's linked WRITE + FSYNC; 8 MiB already in Append, waiting for a buffer.
            var error = Assert.Throws<IOException>(() =>
            {
                file.Append(new byte[length]);
                file.Commit();
            });
            Assert.Contains("No space left on device", error.Message);
            Assert.Contains(full.Path, error.Message);
            // The file may have a hole where the write failed: nothing may report success afterwards.
            Assert.Throws<IOException>(file.Commit);
        });
    }

    [Fact]
    public void Rename_replaces_the_target_and_removes_the_source_name()
    {
        var temporary = Path.Combine(_directory.FullName, "temp-1.rdb");
        var target = Path.Combine(_directory.FullName, "dump.rdb");
        File.WriteAllText(target, "old snapshot");
        OnOwnThread(() =>
        {
            using var file = DurableFile.Create(temporary);
            file.Append("new snapshot"u8);
            file.Commit();
        });

        DurableFile.Rename(temporary, target);

        Assert.Equal("new snapshot", File.ReadAllText(target));
        Assert.False(File.Exists(temporary));
        var error = Assert.Throws<IOException>(() => DurableFile.Rename(temporary, target));
        Assert.Contains(temporary, error.Message);
    }

    [Fact]
    public void An_io_uring_file_refuses_another_thread()
    {
        var path = Path.Combine(_directory.FullName, "dump.rdb");
        using var file = DurableFile.Create(path);
        Assert.True(file.UsesIoUring);
        file.Append(new byte[2 * MiB]);
        OnOwnThread(() => Assert.Throws<InvalidOperationException>(file.Commit));
        file.Commit();
        Assert.Equal(2 * MiB, new FileInfo(path).Length);
    }

    /// <summary>Runs <paramref name="action"/> on a thread of its own (a ring's owner), failing rather than hanging.</summary>
    private static void OnOwnThread(Action action)
    {
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        });
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(60)), "DurableFile hung");
        failure?.Throw();
    }

    /// <summary>A file on a 256 KiB tmpfs mounted for the test, or /dev/full where mounting is not permitted.</summary>
    private sealed class FullFile : IDisposable
    {
        private readonly string? _mount;

        private FullFile(string path, string? mount)
        {
            Path = path;
            _mount = mount;
        }

        public string Path { get; }

        public static FullFile Create(string parent)
        {
            var mount = System.IO.Path.Combine(parent, "full");
            Directory.CreateDirectory(mount);
            return Run("mount", $"-t tmpfs -o size=256k tmpfs {mount}")
                ? new FullFile(System.IO.Path.Combine(mount, "dump.rdb"), mount)
                : new FullFile("/dev/full", null);
        }

        public void Dispose()
        {
            if (_mount is not null) { Run("umount", _mount); }
        }

        private static bool Run(string program, string arguments)
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true })!;
                process.WaitForExit();
                return process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false; // no mount program
            }
        }
    }
}
