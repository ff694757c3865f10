package dev.tollgate.access;

import java.time.Instant;
import java.util.Optional;

/** A person or service that holds client keys; the unit that limits, budgets and bills can be set on. */
public record User(String id, String name, Optional<String> team, Instant createdAt, Instant updatedAt) {
}
