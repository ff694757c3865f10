package dev.tollgate.translate;

import jakarta.json.stream.JsonParser;
import java.util.List;

/**
 * One format's reading of its stream events straight from a JSON parser, building nothing but the
 * canonical events: the one place each format's event meaning is read, over a chunk already parsed
 * (a translated stream) or over its text (the request log reading a stream back).
 */
interface EventReader {
    /** The events of the one event whose data {@code p} stands before; none when it is not an object. */
    List<Chat.Event> read(JsonParser p);

    /** The message of the last error event read; null when none came. */
    String error();

    /** Whether the format's own end event was read ({@code [DONE]} is not an event's JSON: the caller sees it). */
    boolean done();
}
