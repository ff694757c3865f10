package dev.tollgate.config;

import java.time.Instant;
import java.util.Optional;

/**
 * The configuration in force, swapped whole by {@link ConfigReloader}: readers take one snapshot
 * and use it throughout, so nothing sees half of an old file and half of a new one. With it, what
 * operators ask about the file: where it is, when it was loaded, its hash, and the last reload
 * that was refused and why.
 */
public final class LiveConfig {
    private volatile State state;

    /** @param source the file, or empty when the gateway runs on defaults */
    public LiveConfig(TollgateConfig initial, String hash, Instant loadedAt) {
        this.state = new State(initial, new Status(initial.source().map(Object::toString).orElse("(defaults: no file)"),
                loadedAt, hash, Optional.empty()));
    }

    /** The file's state as health and the System page show it. */
    public record Status(String source, Instant loadedAt, String hash, Optional<Failure> lastError) {
    }

    /** A reload that was refused: when, and what was wrong where (key and line). */
    public record Failure(Instant at, String message) {
    }

    private record State(TollgateConfig config, Status status) {
    }

    public TollgateConfig get() {
        return state.config();
    }

    public Status status() {
        return state.status();
    }

    synchronized void swap(TollgateConfig next, String hash, Instant at) {
        state = new State(next, new Status(state.status().source(), at, hash, Optional.empty()));
    }

    /** The file on disk is the one in force again: no refusal stands. */
    synchronized void current() {
        Status s = state.status();
        if (s.lastError().isPresent()) {
            state = new State(state.config(), new Status(s.source(), s.loadedAt(), s.hash(), Optional.empty()));
        }
    }

    synchronized void refused(String message, Instant at) {
        Status s = state.status();
        state = new State(state.config(), new Status(s.source(), s.loadedAt(), s.hash(), Optional.of(new Failure(at, message))));
    }
}
