package dev.tollgate.json;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonValue;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.parsson.api.BufferPool;

/**
 * Parses JSON that a caller or an upstream sent, within bounds checked before the parser allocates
 * anything: a structural scan of the bytes measures the nesting depth and counts the values, and
 * makes sure nothing but whitespace follows the document. Only then does JSON-P build the tree, so a
 * 2 KB body nested 100,000 deep or 32 MB of {@code [0,0,0,…]} is refused at the cost of one pass over
 * its bytes, never with a deep stack or a tree of millions of values.
 */
public final class BoundedJson {
    /**
     * JSON-P's own limits are lifted: the scan above is the one bound, so a valid body up to the
     * configured size parses (Parsson's default stops at 15 million characters), and Parsson's depth
     * check, which fails with a bare RuntimeException, is never reached.
     */
    private static final Map<String, Object> UNLIMITED = Map.of(
            "org.eclipse.parsson.maxParsingLimit", Integer.MAX_VALUE,
            "org.eclipse.parsson.maxDepth", Integer.MAX_VALUE,
            BufferPool.class.getName(), Jsons.BUFFERS);

    private static final JsonReaderFactory READERS = JSON.createReaderFactory(UNLIMITED);

    private static final JsonParserFactory PARSERS = JSON.createParserFactory(UNLIMITED);

    private BoundedJson() {
    }

    /** How deep and how big one JSON document may be. */
    public record Bounds(int maxDepth, int maxValues) {
        /** Generous bounds for documents whose source is trusted a little more (upstream answers). */
        public static final Bounds UPSTREAM = new Bounds(512, 5_000_000);
    }

    /** Why a document was refused, in words fit for the one who sent it. */
    public static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The document in {@code raw}, which must be one JSON object within {@code bounds}. */
    public static JsonObject object(byte[] raw, Bounds bounds) {
        return asObject(value(raw, 0, raw.length, bounds));
    }

    private static JsonObject asObject(JsonValue value) {
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new Refused("expected a JSON object");
        }
        return value.asJsonObject();
    }

    /** The object in {@code raw}, or empty when it is not one within {@code bounds}. */
    public static Optional<JsonObject> tryObject(byte[] raw, Bounds bounds) {
        try {
            return Optional.of(object(raw, bounds));
        } catch (Refused e) {
            return Optional.empty();
        }
    }

    /** The same for text (an event's data, a tool call's arguments). */
    public static Optional<JsonObject> tryObject(String text, Bounds bounds) {
        try {
            return Optional.of(asObject(value(text, bounds)));
        } catch (Refused e) {
            return Optional.empty();
        }
    }

    /**
     * The document in {@code raw[from, to)}, any JSON value within {@code bounds}. A small document
     * is decoded to a string first: a reader over bytes takes a fresh 8 KB buffer per document, which
     * was a sixth of all the gateway allocated (every request, every logged call). A large one is
     * read through the bytes, so it is never held twice.
     */
    public static JsonValue value(byte[] raw, int from, int to, Bounds bounds) {
        int start = hasByteOrderMark(raw, from, to) ? from + 3 : from; // RFC 8259 lets a parser ignore one
        scan(raw, start, to, bounds);
        if (to - start <= DECODED_WHOLE) {
            return read(READERS.createReader(new StringReader(new String(raw, start, to - start, StandardCharsets.UTF_8))));
        }
        return read(READERS.createReader(new ByteArrayInputStream(raw, start, to - start)));
    }

    /** Up to this many bytes a document is decoded to a string before it is parsed. */
    private static final int DECODED_WHOLE = 64 * 1024;

    private static boolean hasByteOrderMark(byte[] raw, int from, int to) {
        return to - from >= 3 && raw[from] == (byte) 0xEF && raw[from + 1] == (byte) 0xBB && raw[from + 2] == (byte) 0xBF;
    }

    /**
     * The same for text (an SSE event's data). Scanned as its bytes, but parsed from the string
     * itself: a reader over bytes decodes them again through a fresh 8 KB buffer, which cost a small
     * stream event twice its parse.
     */
    public static JsonValue value(String text, Bounds bounds) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        scan(raw, 0, raw.length, bounds);
        return read(READERS.createReader(new StringReader(text)));
    }

    /**
     * The document in {@code text}, scanned as {@link #value(String, Bounds)} scans it, then read by
     * {@code reader} event by event from a parser standing before its first event: nothing is built
     * but what the reader keeps. For text read often and mostly skipped (the request log reading a
     * stream back), where building each event's tree was most of the cost.
     */
    public static <T> T read(String text, Bounds bounds, Function<JsonParser, T> reader) {
        byte[] raw = text.getBytes(StandardCharsets.UTF_8);
        scan(raw, 0, raw.length, bounds);
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            return reader.apply(parser);
        } catch (JsonException | IllegalStateException | NumberFormatException
                 | NoSuchElementException e) {
            throw new Refused("malformed JSON: " + e.getMessage());
        }
    }

    private static JsonValue read(JsonReader opened) {
        try (JsonReader reader = opened) {
            return reader.readValue();
        } catch (JsonException | IllegalStateException | NumberFormatException e) {
            throw new Refused("malformed JSON: " + e.getMessage());
        }
    }

    /**
     * Checks nesting, size and trailing bytes without building anything. Strings are skipped with
     * their escapes; everything else counts: each opening bracket and each comma starts a value.
     */
    static void scan(byte[] b, int from, int to, Bounds bounds) {
        int depth = 0;
        long values = 0;
        boolean started = false;
        int end = -1;
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (end >= 0) {
                if (!whitespace(c)) {
                    throw new Refused("unexpected data after the JSON document at byte " + (i - from));
                }
                continue;
            }
            switch (c) {
                case '"' -> {
                    started = true;
                    i = stringEnd(b, i + 1, to);
                    if (depth == 0) {
                        end = i;
                    }
                }
                case '{', '[' -> {
                    started = true;
                    if (++depth > bounds.maxDepth()) {
                        throw new Refused("JSON nested deeper than " + bounds.maxDepth() + " levels");
                    }
                    values++;
                }
                case '}', ']' -> {
                    if (--depth == 0) {
                        end = i;
                    } else if (depth < 0) {
                        throw new Refused("malformed JSON: unbalanced '" + (char) c + "' at byte " + (i - from));
                    }
                }
                case ',' -> {
                    if (++values > bounds.maxValues()) {
                        throw new Refused("JSON with more than " + bounds.maxValues() + " values");
                    }
                }
                default -> {
                    if (!whitespace(c)) {
                        started = true;
                        if (depth == 0) {
                            end = scalarEnd(b, i, to);
                            i = end;
                        }
                    }
                }
            }
        }
        if (!started) {
            throw new Refused("empty JSON document");
        }
        if (end < 0) {
            throw new Refused("malformed JSON: the document ends before it is complete");
        }
    }

    /** The index of the quote closing a string that starts at {@code i}; the input's end when none does. */
    private static int stringEnd(byte[] b, int i, int to) {
        while (i < to) {
            byte c = b[i];
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i;
            } else {
                i++;
            }
        }
        throw new Refused("malformed JSON: a string is not closed");
    }

    /** The last index of a top-level scalar (number, true, false, null) starting at {@code i}. */
    private static int scalarEnd(byte[] b, int i, int to) {
        while (i + 1 < to && !whitespace(b[i + 1])) {
            i++;
        }
        return i;
    }

    private static boolean whitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
