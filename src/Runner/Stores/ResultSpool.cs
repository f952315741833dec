using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Probe.Runner.Results;

namespace Probe.Runner.Stores;

/// <summary>
/// The durable local spool between the runner and its store: every result is appended here and
/// flushed to disk before it counts as produced, then drained to the store in order; the drained
/// position is saved only after the store has the batch. A crash between the two replays that batch,
/// and the store's idempotent writes (by result id) drop the copies, so nothing is lost or doubled.
/// <para>
/// Files in the folder: <c>spool.log</c>, records of [length u32][crc32 u32][JSON]; <c>spool.offset</c>,
/// the drained position; <c>spool.lock</c>, held while open so two runners never share a spool. A
/// record torn by a crash fails its checksum and is cut off when the spool is opened again.
/// </para>
/// </summary>
internal sealed class ResultSpool : IDisposable
{
    private const int HeaderBytes = 8;
    private const int MaxRecordBytes = 1 << 20;

    private readonly Lock _lock = new();
    private readonly SafeFileHandle _log;
    private readonly FileStream _lockFile;
    private readonly string _offsetPath;
    private long _length;
    private long _drained;
    private long _depth;

    private ResultSpool(string folder, SafeFileHandle log, FileStream lockFile, long length, long drained, long depth)
    {
        Folder = folder;
        _log = log;
        _lockFile = lockFile;
        _offsetPath = Path.Combine(folder, "spool.offset");
        _length = length;
        _drained = drained;
        _depth = depth;
    }

    public string Folder { get; }

    /// <summary>Results appended but not yet in the store.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    /// <summary>Opens (or creates) the spool in <paramref name="folder"/>, cutting off a torn last record.</summary>
    /// <exception cref="IOException">Another process holds the spool.</exception>
    public static ResultSpool Open(string folder)
    {
        Directory.CreateDirectory(folder);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(folder, "spool.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the spool in {folder} is in use by another probe process; give each runner its own --data folder", e);
        }

        SafeFileHandle log = File.OpenHandle(Path.Combine(folder, "spool.log"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        long length = RandomAccess.GetLength(log);
        long drained = ReadOffset(Path.Combine(folder, "spool.offset"));
        if (drained > length)
        {
            drained = 0; // the log was compacted and the crash came before the offset was reset
        }

        (long valid, long depth) = Scan(log, drained, length);
        if (valid < length)
        {
            RandomAccess.SetLength(log, valid);
            RandomAccess.FlushToDisk(log);
        }

        return new ResultSpool(folder, log, lockFile, valid, drained, depth);
    }

    /// <summary>Appends results and flushes them to disk; when this returns they survive a crash.</summary>
    public void Append(IReadOnlyList<SyntheticResult> results)
    {
        if (results.Count == 0)
        {
            return;
        }

        using var buffer = new MemoryStream();
        Span<byte> header = stackalloc byte[HeaderBytes];
        foreach (SyntheticResult result in results)
        {
            byte[] payload = SyntheticResultJson.Serialize(result);
            BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.Compute(payload));
            buffer.Write(header);
            buffer.Write(payload);
        }

        lock (_lock)
        {
            RandomAccess.Write(_log, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), _length);
            RandomAccess.FlushToDisk(_log);
            _length += buffer.Length;
            Interlocked.Add(ref _depth, results.Count);
        }
    }

    /// <summary>Up to <paramref name="max"/> of the oldest results not yet drained, and the position after them.</summary>
    public (IReadOnlyList<SyntheticResult> Results, long End) Peek(int max)
    {
        long from, to;
        lock (_lock)
        {
            (from, to) = (_drained, _length);
        }

        var results = new List<SyntheticResult>(Math.Min(max, 1024));
        var header = new byte[HeaderBytes];
        long at = from;
        while (results.Count < max && at + HeaderBytes <= to)
        {
            RandomAccess.Read(_log, header, at);
            int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(header);
            var payload = new byte[length];
            RandomAccess.Read(_log, payload, at + HeaderBytes);
            results.Add(SyntheticResultJson.Deserialize(payload));
            at += HeaderBytes + length;
        }

        return (results, at);
    }

    /// <summary>Marks everything before <paramref name="end"/> (from <see cref="Peek"/>) as stored; compacts the log once it is all drained.</summary>
    public void Commit(long end, int count)
    {
        lock (_lock)
        {
            _drained = end;
            Interlocked.Add(ref _depth, -count);
            if (_drained == _length)
            {
                // Cut the log first: a crash before the offset is reset leaves offset > length, which Open reads as 0.
                RandomAccess.SetLength(_log, 0);
                RandomAccess.FlushToDisk(_log);
                _length = _drained = 0;
            }

            WriteOffset(_drained);
        }
    }

    public void Dispose()
    {
        _log.Dispose();
        _lockFile.Dispose();
    }

    private void WriteOffset(long offset)
    {
        string temp = _offsetPath + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, _offsetPath, overwrite: true);
    }

    private static long ReadOffset(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long offset) ? offset : 0;

    /// <summary>Walks the records from <paramref name="from"/>: where the valid ones end and how many there are.</summary>
    private static (long Valid, long Count) Scan(SafeFileHandle log, long from, long length)
    {
        var header = new byte[HeaderBytes];
        long at = from, count = 0;
        while (at + HeaderBytes <= length)
        {
            RandomAccess.Read(log, header, at);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(header);
            if (size == 0 || size > MaxRecordBytes || at + HeaderBytes + size > length)
            {
                break;
            }

            var payload = new byte[size];
            RandomAccess.Read(log, payload, at + HeaderBytes);
            if (Crc32.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
            {
                break;
            }

            at += HeaderBytes + size;
            count++;
        }

        return (at, count);
    }
}
