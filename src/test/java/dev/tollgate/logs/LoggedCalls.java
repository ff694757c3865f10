package dev.tollgate.logs;

import dev.tollgate.config.TollgateConfig;
import dev.tollgate.store.Database;
import dev.tollgate.usage.UsageTable;
import java.time.Instant;
import java.util.List;

/** Generated calls written as the gateway writes them, usage records and request log, for other rooms' tests. */
public final class LoggedCalls {
    private LoggedCalls() {
    }

    /** Writes {@code conversations} generated dialogs (see {@link GeneratedLog}); returns their calls' ids in order. */
    public static List<String> write(Database db, String instanceId, String prefix, int conversations, long seed,
                                     Instant start) throws Exception {
        return write(db, instanceId, prefix, conversations, seed, start, 0);
    }

    /** The same with {@code padding} more words in every message. */
    public static List<String> write(Database db, String instanceId, String prefix, int conversations, long seed,
                                     Instant start, int padding) throws Exception {
        List<GeneratedLog.Call> calls = GeneratedLog.calls(prefix, conversations, seed, start, padding);
        new UsageTable(db, instanceId).insert(calls.stream().map(GeneratedLog.Call::record).toList());
        new LogWrites(db, TollgateConfig.Logs.DEFAULT_CONVERSATION_IDLE).write(calls.stream().map(GeneratedLog.Call::entry)
                .toList());
        return calls.stream().map(c -> c.entry().id()).toList();
    }
}
