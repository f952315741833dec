namespace Probe.Scenarios.Http.Readiness;

/// <summary>
/// A thread waiting in epoll for its sockets' readiness, as wrk's event loops do: a socket's pending
/// send or receive is retried when it becomes ready, with no speculative system call and no lock per
/// operation. Loops live as long as the process; sockets are spread over them in turn.
/// </summary>
internal sealed class ReadinessLoop
{
    private const int BatchSize = 256;

    // Before sleeping, a loop polls epoll for what comes next: waking a sleeping thread costs its peer (the
    // target's sending thread) more than the poll costs here (bench/README.md, "Holding sends to the end of a
    // batch, and polling before sleeping"). A poll costs about 1 µs of a system call; the run of polls doubles
    // each time one catches an event and halves each time it runs out, between these bounds.
    private const int MinPolls = 32;
    private const int MaxPolls = 256;
    private static readonly Lazy<ReadinessLoop[]> Loops = new(Start);
    private static int _next;

    [ThreadStatic]
    private static ReadinessLoop? t_signalling; // the loop whose batch of events this thread is handing out

    private readonly int _epoll = Epoll.Create();
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _free = new();
    private readonly List<ReadySocket> _held = [];
    private int _polls = MinPolls;
    private ReadySocket?[] _slots = new ReadySocket?[64];
    private int _used;

    private ReadinessLoop(int index)
    {
        var thread = new Thread(Run) { IsBackground = true, Name = $"Probe readiness {index}" };
        thread.Start();
    }

    /// <summary>
    /// Whether continuations run on the loop's thread (when .NET's sockets are told to complete inline,
    /// as <c>probe run</c> does) or on the thread pool.
    /// </summary>
    public static bool Inline { get; } = Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") == "1";

    /// <summary>The next loop in turn.</summary>
    public static ReadinessLoop Next()
    {
        ReadinessLoop[] loops = Loops.Value;
        return loops[(int)((uint)Interlocked.Increment(ref _next) % (uint)loops.Length)];
    }

    /// <summary>
    /// Holds <paramref name="socket"/>'s send until this loop has handed out the batch of events it is
    /// handing out on this thread; false on any other thread, where a send goes out at once.
    /// </summary>
    public bool TryHold(ReadySocket socket)
    {
        if (t_signalling != this)
        {
            return false;
        }

        _held.Add(socket);
        return true;
    }

    /// <summary>Watches <paramref name="socket"/> until <see cref="Remove"/>; returns its slot.</summary>
    public int Add(ReadySocket socket)
    {
        int slot;
        lock (_slotsLock)
        {
            if (!_free.TryPop(out slot))
            {
                if (_used == _slots.Length)
                {
                    // Published before the socket is registered, so the loop finds it for the socket's first event.
                    var bigger = new ReadySocket?[_slots.Length * 2];
                    Array.Copy(_slots, bigger, _slots.Length);
                    Volatile.Write(ref _slots, bigger);
                }

                slot = _used++;
            }

            Volatile.Write(ref _slots[slot], socket);
        }

        try
        {
            Epoll.Register(_epoll, socket.Socket.SafeHandle.DangerousGetHandle(), Epoll.In | Epoll.Out | Epoll.ReadHangup | Epoll.EdgeTriggered, ((ulong)(uint)socket.Generation << 32) | (uint)slot);
        }
        catch
        {
            Remove(slot);
            throw;
        }

        return slot;
    }

    /// <summary>Frees a closed socket's slot (closing the socket took it out of epoll).</summary>
    public void Remove(int slot)
    {
        lock (_slotsLock)
        {
            Volatile.Write(ref _slots[slot], null);
            _free.Push(slot);
        }
    }

    /// <summary>The next events: polled for a while, then waited for.</summary>
    private int Wait(byte[] events)
    {
        for (int poll = 0; poll < _polls; poll++)
        {
            int n = Epoll.Wait(_epoll, events, 0);
            if (n > 0)
            {
                if (poll > 0)
                {
                    _polls = Math.Min(_polls * 2, MaxPolls); // a poll caught what a sleep would have waited for
                }

                return n;
            }
        }

        _polls = Math.Max(_polls / 2, MinPolls);
        return Epoll.Wait(_epoll, events, -1);
    }

    private static ReadinessLoop[] Start() =>
        Enumerable.Range(0, Inline ? Math.Clamp(Environment.ProcessorCount, 1, 16) : 1).Select(i => new ReadinessLoop(i)).ToArray();

    private void Run()
    {
        byte[] events = new byte[BatchSize * Epoll.EventSize];
        while (true)
        {
            int n = Wait(events);
            ReadySocket?[] slots = Volatile.Read(ref _slots);
            t_signalling = this;
            for (int i = 0; i < n; i++)
            {
                ulong key = Epoll.KeyAt(events, i);
                int slot = (int)(uint)key;

                // A slot freed and taken again since the event was queued has a new generation: no spare wake for its new socket.
                if (slot < slots.Length && Volatile.Read(ref slots[slot]) is { } socket && socket.Generation == (int)(key >> 32))
                {
                    socket.Signal(Epoll.EventsAt(events, i));
                }
            }

            // The requests the batch's answers led to go out back to back: a target that went idle wakes
            // once for them all, not once for each, which costs it more than the request.
            t_signalling = null;
            foreach (ReadySocket socket in _held)
            {
                socket.SendHeld();
            }

            _held.Clear();
        }
    }
}
