package dev.tollgate.upstream;

/**
 * One server-sent event exactly as the upstream framed it.
 *
 * @param raw  the bytes to pass on, blank-line terminator included
 * @param data the joined {@code data:} lines, or null when the event has none (a comment)
 */
public record SseEvent(byte[] raw, String data) {
}
