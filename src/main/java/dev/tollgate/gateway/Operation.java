package dev.tollgate.gateway;

/** The model calls the gateway proxies, with the upstream path each one posts to. */
public enum Operation {
    CHAT_COMPLETIONS("/chat/completions", true),
    COMPLETIONS("/completions", true),
    EMBEDDINGS("/embeddings", false);

    private final String path;
    private final boolean streams;

    Operation(String path, boolean streams) {
        this.path = path;
        this.streams = streams;
    }

    public String path() {
        return path;
    }

    /** Whether the operation can answer as a stream at all. */
    public boolean streams() {
        return streams;
    }
}
