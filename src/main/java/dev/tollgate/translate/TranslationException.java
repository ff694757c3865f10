package dev.tollgate.translate;

/** A request that cannot be carried into the other format: the client gets a 400 with this message. */
public final class TranslationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TranslationException(String message) {
        super(message, null, false, false);
    }
}
