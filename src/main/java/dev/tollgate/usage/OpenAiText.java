package dev.tollgate.usage;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.function.Consumer;

/**
 * The generated text in OpenAI choices (content, completion text, tool-call arguments), for a
 * tokenizer estimate when the upstream reports no usage. Whole bodies keep it under
 * {@code message}, stream chunks under {@code delta}.
 */
public final class OpenAiText {
    private OpenAiText() {
    }

    /** The text of a whole response body. */
    public static String of(JsonObject response) {
        StringBuilder out = new StringBuilder();
        append(response.get("choices"), "message", out::append);
        return out.toString();
    }

    /** Appends the text of {@code choices}, looking inside each choice's {@code part} ("message" or "delta"). */
    static void append(JsonValue choices, String part, Consumer<String> out) {
        if (!(choices instanceof JsonArray list)) {
            return;
        }
        for (JsonValue c : list) {
            if (!(c instanceof JsonObject choice)) {
                continue;
            }
            if (choice.get("text") instanceof JsonString t) {
                out.accept(t.getString());
            }
            if (!(choice.get(part) instanceof JsonObject m)) {
                continue;
            }
            if (m.get("content") instanceof JsonString content) {
                out.accept(content.getString());
            }
            if (m.get("tool_calls") instanceof JsonArray calls) {
                for (JsonValue call : calls) {
                    if (call instanceof JsonObject o && o.get("function") instanceof JsonObject f
                            && f.get("arguments") instanceof JsonString args) {
                        out.accept(args.getString());
                    }
                }
            }
        }
    }
}
