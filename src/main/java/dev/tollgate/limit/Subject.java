package dev.tollgate.limit;

/** What limits are set on: one client key, one user, or the whole gateway. */
public record Subject(Kind kind, String id) {
    public static final Subject GLOBAL = new Subject(Kind.GLOBAL, "");

    /** The three levels; a request must pass all that have limits. */
    public enum Kind { GLOBAL, USER, KEY }

    public static Subject key(String keyId) {
        return new Subject(Kind.KEY, keyId);
    }

    public static Subject user(String userId) {
        return new Subject(Kind.USER, userId);
    }

    /**
     * How metrics label it: "gateway", "user:alice", "key:key-1a2b"; a config key by the start of its
     * hash ("key:config-1a2b3c4d"), which tells keys apart and reveals nothing of them.
     */
    public String label() {
        return switch (kind) {
            case GLOBAL -> "gateway";
            case USER -> "user:" + id;
            case KEY -> id.startsWith(RateLimiter.CONFIG_KEY)
                    ? "key:config-" + id.substring(RateLimiter.CONFIG_KEY.length(),
                            Math.min(id.length(), RateLimiter.CONFIG_KEY.length() + 8))
                    : "key:" + id;
        };
    }

    /** How a refusal names it: "key key-1a2b", "user alice", "the gateway". */
    public String describe() {
        return switch (kind) {
            case GLOBAL -> "the gateway";
            case USER -> "user " + id;
            case KEY -> id.startsWith(RateLimiter.CONFIG_KEY) ? "this key" : "key " + id;
        };
    }
}
