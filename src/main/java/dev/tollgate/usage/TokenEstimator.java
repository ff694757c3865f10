package dev.tollgate.usage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.function.ToLongFunction;

/**
 * Counts tokens with a real tokenizer (jtokkit, o200k_base) when an upstream reports no usage.
 * Chat prompts add OpenAI's documented framing: 3 tokens per message and 3 to prime the reply.
 *
 * <p>Bounded work on any input: the tokenizer's memory grows with the longest run of text it gets
 * in one piece (a 4 MB word took more than 512 MB of heap), so text is fed to it in windows of at
 * most {@value #WINDOW} characters, cut at a space where there is one (o200k's pieces begin at a
 * space, so such a cut changes nothing) and otherwise mid-word, which may count a token or two more
 * per window than a whole-word count would. Past {@value #EXACT_CHARS} characters the count is
 * extrapolated from the tokens per character of what was counted: an estimate either way, and the
 * CPU of one request stays bounded.
 */
public final class TokenEstimator {
    private static final int PER_MESSAGE = 3;
    private static final int REPLY_PRIMER = 3;
    static final int WINDOW = 4096;
    static final int EXACT_CHARS = 4_000_000;
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private TokenEstimator() {
    }

    public static long count(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        int exact = Math.min(text.length(), EXACT_CHARS);
        long tokens = 0;
        for (int from = 0; from < exact; ) {
            int to = windowEnd(text, from, exact);
            tokens += ENCODING.countTokensOrdinary(text.substring(from, to));
            from = to;
        }
        if (exact == text.length()) {
            return tokens;
        }
        return tokens + (long) Math.ceil((double) tokens * (text.length() - exact) / exact);
    }

    /** Where the window starting at {@code from} ends: before its last space, else at its length. */
    private static int windowEnd(String text, int from, int limit) {
        int to = Math.min(limit, from + WINDOW);
        if (to == limit) {
            return to;
        }
        for (int i = to - 1; i > from + WINDOW / 2; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return Character.isHighSurrogate(text.charAt(to - 1)) ? to - 1 : to;
    }

    /**
     * At least as many tokens as any byte-level tokenizer can make of the text, o200k among them:
     * its UTF-8 length, each token being one byte or more. One pass over the characters, no regex:
     * what a reservation can use when the tokenizer's count is not needed to decide.
     */
    public static long bound(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = text.length();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                bytes += c < 0x800 || Character.isSurrogate(c) ? 1 : 2; // a surrogate pair is 4 bytes, 2 each
            }
        }
        return bytes;
    }

    /** The prompt of a chat (OpenAI or Anthropic, system included), completion or embedding request body. */
    public static long prompt(JsonObject request) {
        return prompt(request, TokenEstimator::count);
    }

    /**
     * An upper bound of {@link #prompt}'s count that costs one pass over the text ({@link #bound}
     * for each piece, with the same framing); beyond {@value #EXACT_CHARS} characters, where
     * {@link #count} extrapolates, the two are estimates of the same thing.
     */
    public static long promptBound(JsonObject request) {
        return prompt(request, TokenEstimator::bound);
    }

    /** The prompt's pieces, each counted by {@code count}, with OpenAI's framing. */
    private static long prompt(JsonObject request, ToLongFunction<String> count) {
        JsonValue messages = request.get("messages");
        if (messages instanceof JsonArray list) {
            long total = REPLY_PRIMER + count.applyAsLong(text(request.get("system")));
            for (JsonValue m : list) {
                total += PER_MESSAGE;
                if (m instanceof JsonObject message) {
                    total += count.applyAsLong(text(message.get("content")));
                    total += count.applyAsLong(text(message.get("name")));
                }
            }
            return total;
        }
        if (request.get("contents") instanceof JsonArray contents) {
            long total = REPLY_PRIMER + geminiText(request.get("systemInstruction"), count);
            for (JsonValue c : contents) {
                total += PER_MESSAGE + geminiText(c, count);
            }
            return total;
        }
        if (request.get("input") instanceof JsonArray items && !items.isEmpty() && items.get(0) instanceof JsonObject) {
            long total = REPLY_PRIMER + count.applyAsLong(text(request.get("instructions")));
            for (JsonValue item : items) {
                if (item instanceof JsonObject o) {
                    total += PER_MESSAGE + count.applyAsLong(text(o.get("content")))
                            + count.applyAsLong(text(o.get("output"))) + count.applyAsLong(text(o.get("arguments")));
                }
            }
            return total;
        }
        if (request.get("content") instanceof JsonObject content) { // Gemini's embedContent
            return geminiText(content, count);
        }
        if (request.get("requests") instanceof JsonArray requests) { // Gemini's batchEmbedContents
            long total = 0;
            for (JsonValue r : requests) {
                total += r instanceof JsonObject o ? geminiText(o.get("content"), count) : 0;
            }
            return total;
        }
        JsonValue prompt = request.containsKey("prompt") ? request.get("prompt") : request.get("input");
        return count.applyAsLong(text(prompt));
    }

    /** Tokens of the text parts of a Gemini content ({@code {"parts":[{"text":…}]}}). */
    private static long geminiText(JsonValue content, ToLongFunction<String> count) {
        return content instanceof JsonObject o ? count.applyAsLong(text(o.get("parts"))) : 0;
    }

    /** The text in a content value: a string, an array of strings, or an array of typed parts. */
    static String text(JsonValue value) {
        if (value instanceof JsonString s) {
            return s.getString();
        }
        if (value instanceof JsonArray array) {
            StringBuilder out = new StringBuilder();
            for (JsonValue part : array) {
                if (part instanceof JsonString s) {
                    out.append(s.getString());
                } else if (part instanceof JsonObject o && o.get("text") instanceof JsonString t) {
                    out.append(t.getString());
                }
            }
            return out.toString();
        }
        return "";
    }
}
