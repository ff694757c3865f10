package dev.tollgate.usage;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Counts tokens with a real tokenizer (jtokkit, o200k_base) when an upstream reports no usage.
 * Chat prompts add OpenAI's documented framing: 3 tokens per message and 3 to prime the reply.
 */
public final class TokenEstimator {
    private static final int PER_MESSAGE = 3;
    private static final int REPLY_PRIMER = 3;
    private static final Encoding ENCODING = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.O200K_BASE);

    private TokenEstimator() {
    }

    public static long count(String text) {
        return text == null || text.isEmpty() ? 0 : ENCODING.countTokensOrdinary(text);
    }

    /** The prompt of a chat (OpenAI or Anthropic, system included), completion or embedding request body. */
    public static long prompt(JsonObject request) {
        JsonValue messages = request.get("messages");
        if (messages instanceof JsonArray list) {
            long total = REPLY_PRIMER + count(text(request.get("system")));
            for (JsonValue m : list) {
                total += PER_MESSAGE;
                if (m instanceof JsonObject message) {
                    total += count(text(message.get("content")));
                    total += count(text(message.get("name")));
                }
            }
            return total;
        }
        if (request.get("contents") instanceof JsonArray contents) {
            long total = REPLY_PRIMER + geminiText(request.get("systemInstruction"));
            for (JsonValue c : contents) {
                total += PER_MESSAGE + geminiText(c);
            }
            return total;
        }
        if (request.get("input") instanceof JsonArray items && !items.isEmpty() && items.get(0) instanceof JsonObject) {
            long total = REPLY_PRIMER + count(text(request.get("instructions")));
            for (JsonValue item : items) {
                if (item instanceof JsonObject o) {
                    total += PER_MESSAGE + count(text(o.get("content"))) + count(text(o.get("output")))
                            + count(text(o.get("arguments")));
                }
            }
            return total;
        }
        JsonValue prompt = request.containsKey("prompt") ? request.get("prompt") : request.get("input");
        return count(text(prompt));
    }

    /** Tokens of the text parts of a Gemini content ({@code {"parts":[{"text":…}]}}). */
    private static long geminiText(JsonValue content) {
        return content instanceof JsonObject o ? count(text(o.get("parts"))) : 0;
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
