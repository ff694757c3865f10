package dev.tollgate.usage;

/**
 * The text a stream carried, kept for a tokenizer estimate in case no usage comes. An upstream may
 * stream for as long as it likes, so what is held is bounded: past {@value #HELD_CHARS} characters
 * the text up to its last space is counted and let go, and only the count is kept.
 */
final class StreamText {
    static final int HELD_CHARS = 1 << 20;

    private final StringBuilder held = new StringBuilder();
    private long counted;

    void append(String s) {
        held.append(s);
        if (held.length() > HELD_CHARS) {
            int cut = held.lastIndexOf(" ");
            if (cut <= 0) {
                cut = held.length();
            }
            counted += TokenEstimator.count(held.substring(0, cut));
            held.delete(0, cut);
        }
    }

    /** Tokens of all the text appended. */
    long tokens() {
        return counted + TokenEstimator.count(held.toString());
    }
}
