package dev.tollgate.app;

import dev.tollgate.metrics.PrometheusText;
import dev.tollgate.ops.HealthResource;
import dev.tollgate.ops.HealthResource.DatabaseStatus;
import dev.tollgate.store.Database;
import dev.tollgate.usage.RecordJournal;
import dev.tollgate.usage.UsageRecorder;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

/**
 * How recording stands, from the parts that do it: the database (does it answer?), the batch
 * writer (did its last batch commit, or what refused it?) and the journal. Health and the
 * Prometheus gauges both read it, so they cannot disagree.
 */
final class RecordingState {
    private final Database database;
    private final UsageRecorder recorder;
    private final RecordJournal journal;

    /** @param journal null in buffered mode */
    RecordingState(Database database, UsageRecorder recorder, RecordJournal journal) {
        this.database = database;
        this.recorder = recorder;
        this.journal = journal;
    }

    /**
     * Down when the database does not answer; degraded when it answers but the writer's last batch
     * failed (a full disk, a read-only file, a lock held too long) or the writer has stopped.
     */
    HealthResource.Database database() {
        String ping = ping();
        if (ping != null) {
            return new HealthResource.Database(DatabaseStatus.DOWN, ping);
        }
        String writeError = recorder.lastError();
        if (writeError != null) {
            return new HealthResource.Database(DatabaseStatus.DEGRADED, "usage records cannot be written: " + writeError);
        }
        if (!recorder.running()) {
            return new HealthResource.Database(DatabaseStatus.DEGRADED, "the usage writer has stopped");
        }
        return new HealthResource.Database(DatabaseStatus.UP, null);
    }

    HealthResource.Recorder recorder() {
        return new HealthResource.Recorder(recorder.running(), recorder.lastCommit(), recorder.lastError(),
                recorder.writeFailures(), recorder.deferred());
    }

    HealthResource.Journal journal() {
        return journal == null ? null : new HealthResource.Journal(journal.waiting(), journal.segments(),
                journal.appended(), journal.lastSync(), journal.lastError(), journal.failures());
    }

    PrometheusText.Gauges gauges(int openStreams) {
        Instant commit = recorder.lastCommit();
        return new PrometheusText.Gauges(recorder.backlog(), recorder.dropped(), openStreams,
                database().status() == DatabaseStatus.UP, recorder.writeFailures(),
                commit == null ? 0 : commit.getEpochSecond(), journal == null ? -1 : journal.waiting());
    }

    /** Null when the database answers, else why not. */
    private String ping() {
        try (Connection c = database.connection()) {
            return c.isValid(2) ? null : "connection not valid";
        } catch (SQLException e) {
            return e.getMessage();
        }
    }
}
