package dev.tollgate.logs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The conversations of recently logged calls, in memory, so a call's answer can name its
 * conversation ({@code x-tollgate-conversation-id}) before the log writer has seen the call: a
 * call's thread key leads to its conversation, and a conversation to when it was last active.
 * The writer adds what it committed. Bounded; a call whose parent was forgotten (or not yet
 * written: a follow-up sent within a batch's time of its answer) is announced under its own id,
 * which the log then resolves to the conversation the writer found (see {@link #resolve}).
 */
final class RecentThreads {
    private final int capacity;
    private final long idleMillis;
    private final Map<String, String> threads;
    private final Map<String, Long> active;
    /** Calls announced under their own id but written into another conversation. */
    private final Map<String, String> moved;

    RecentThreads(int capacity, long idleMillis) {
        this.capacity = capacity;
        this.idleMillis = idleMillis;
        this.threads = bounded();
        this.active = bounded();
        this.moved = bounded();
    }

    private <V> Map<String, V> bounded() {
        return new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** The conversation a call with this history continues, if one was active within the idle window. */
    synchronized Optional<String> find(List<String> history, long nowMillis) {
        for (String key : history) {
            String conversation = threads.get(key);
            Long last = conversation == null ? null : active.get(conversation);
            if (last != null && last >= nowMillis - idleMillis) {
                return Optional.of(conversation);
            }
        }
        return Optional.empty();
    }

    /** A conversation the client named: the one it stands for when it names a call that was moved. */
    synchronized String resolve(String named) {
        return moved.getOrDefault(named, named);
    }

    /**
     * A call the writer committed.
     *
     * @param announced what its answer named as its conversation (null when it named none)
     */
    synchronized void written(String thread, String conversation, String announced, long tsMillis) {
        if (conversation == null) {
            return;
        }
        if (thread != null) {
            threads.put(thread, conversation);
        }
        active.merge(conversation, tsMillis, Math::max);
        if (announced != null && !announced.equals(conversation)) {
            moved.put(announced, conversation);
        }
    }

    synchronized void clear() {
        threads.clear();
        active.clear();
        moved.clear();
    }
}
