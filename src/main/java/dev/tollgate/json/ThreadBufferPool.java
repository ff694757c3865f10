package dev.tollgate.json;

import org.eclipse.parsson.api.BufferPool;

/**
 * Parsson's character buffers, one spare per thread. Parsson's own pool is a concurrent queue that a
 * collection empties (it is only weakly held): every parser took and gave back a buffer through a
 * compare-and-set and a new queue node, which was 5 % of the gateway's samples with the request log
 * on (the log writer opens a parser per stream event). A parser takes its buffer and gives it back
 * on the thread that uses it, so a thread's own spare needs no synchronisation. Only buffers of the
 * size handed out are kept: one a parser grew for a long string is left to the collector.
 */
public final class ThreadBufferPool implements BufferPool {
    /** Parsson's own buffer size, in characters. */
    static final int SIZE = 4096;

    private final ThreadLocal<char[]> spare = new ThreadLocal<>();

    @Override
    public char[] take() {
        char[] buf = spare.get();
        if (buf == null) {
            return new char[SIZE];
        }
        spare.set(null);
        return buf;
    }

    @Override
    public void recycle(char[] buf) {
        if (buf != null && buf.length == SIZE) {
            spare.set(buf);
        }
    }
}
