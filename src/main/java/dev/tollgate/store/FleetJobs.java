package dev.tollgate.store;

import java.time.Duration;

/**
 * Turns for periodic jobs that must run once across every instance sharing the database
 * (retention): an instance runs a job only when it wins the job's turn, a single conditional
 * UPDATE that at most one instance can win per period. Each won turn is kept in
 * {@code fleet_job_runs}, so operators (and the tests) can see who ran what, when.
 */
public final class FleetJobs {
    private final Sql sql;
    private final String instanceId;

    public FleetJobs(Database db, String instanceId) {
        this.sql = new Sql(db);
        this.instanceId = instanceId;
    }

    /**
     * Claims the job's turn when no instance ran it within {@code every} of {@code nowMillis};
     * true when this instance should run it now.
     */
    public boolean claim(String job, Duration every, long nowMillis) {
        sql.update("INSERT INTO fleet_jobs (name, last_run_at) VALUES (?, 0) ON CONFLICT (name) DO NOTHING",
                p -> p.setString(1, job));
        int won = sql.update("UPDATE fleet_jobs SET last_run_at = ?, last_instance = ? WHERE name = ? AND last_run_at <= ?",
                p -> {
                    p.setLong(1, nowMillis);
                    p.setString(2, instanceId);
                    p.setString(3, job);
                    p.setLong(4, nowMillis - every.toMillis());
                });
        if (won == 1) {
            sql.update("INSERT INTO fleet_job_runs (name, instance_id, started_at) VALUES (?, ?, ?)", p -> {
                p.setString(1, job);
                p.setString(2, instanceId);
                p.setLong(3, nowMillis);
            });
        }
        return won == 1;
    }
}
