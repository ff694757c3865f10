package dev.tollgate.access;

/** A refused change to users or keys, with a message fit for the admin who asked. */
public final class AccessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, which the admin API turns into a status. */
    public enum Kind { INVALID, NOT_FOUND, CONFLICT }

    private final Kind kind;

    public AccessException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
