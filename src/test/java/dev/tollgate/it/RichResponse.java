package dev.tollgate.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;

/**
 * A Responses API answer carrying everything a translation to another format would lose, written
 * as OpenAI writes it: a reasoning item with its summary (and its encrypted content when the request
 * {@code include}s it), a built-in web search call, a message whose text is the structured output
 * with a URL citation, reasoning tokens, and the request's own settings echoed back
 * ({@code previous_response_id}, {@code reasoning}, {@code text}, {@code tools}, {@code store}).
 * Deterministic in the request, so a test can rebuild the exact bytes the upstream sent.
 */
public final class RichResponse {
    /** Models whose Responses calls {@link FakeOpenAi} answers with this. */
    public static final String MODEL_MARK = "reasoner";
    public static final long INPUT = 57;
    public static final long OUTPUT = 40;
    public static final long REASONING = 24;
    public static final String SUMMARY = "The user wants Paris weather as JSON.";
    public static final String TEXT = "{\"city\":\"Paris\",\"temp_c\":21}";
    public static final String ENCRYPTED = "gAAAAB-opaque-reasoning-state";

    private RichResponse() {
    }

    /** The whole answer to {@code request}. */
    public static String whole(JsonObject request) {
        return response(request, "completed", true).build().toString();
    }

    /** The event stream answering {@code request}, as OpenAI sends it, typed events and sequence numbers. */
    public static String stream(JsonObject request) {
        Events e = new Events();
        e.add("response.created", Json.createObjectBuilder().add("response", response(request, "in_progress", false)));
        e.add("response.in_progress", Json.createObjectBuilder().add("response", response(request, "in_progress", false)));
        e.add("response.output_item.added", item(0).add("item", reasoning(request, false)));
        JsonObjectBuilder part = Json.createObjectBuilder().add("type", "summary_text").add("text", "");
        e.add("response.reasoning_summary_part.added", at(0, "rs_rich").add("summary_index", 0).add("part", part));
        String[] halves = {SUMMARY.substring(0, 14), SUMMARY.substring(14)};
        for (String half : halves) {
            e.add("response.reasoning_summary_text.delta", at(0, "rs_rich").add("summary_index", 0).add("delta", half));
        }
        e.add("response.reasoning_summary_text.done", at(0, "rs_rich").add("summary_index", 0).add("text", SUMMARY));
        e.add("response.reasoning_summary_part.done", at(0, "rs_rich").add("summary_index", 0)
                .add("part", Json.createObjectBuilder().add("type", "summary_text").add("text", SUMMARY)));
        e.add("response.output_item.done", item(0).add("item", reasoning(request, true)));
        e.add("response.output_item.added", item(1).add("item", search("in_progress")));
        for (String step : new String[] {"in_progress", "searching", "completed"}) {
            e.add("response.web_search_call." + step, at(1, "ws_rich"));
        }
        e.add("response.output_item.done", item(1).add("item", search("completed")));
        e.add("response.output_item.added", item(2).add("item", message("in_progress", "")));
        e.add("response.content_part.added", at(2, "msg_rich").add("content_index", 0).add("part", text("")));
        for (String half : new String[] {TEXT.substring(0, 16), TEXT.substring(16)}) {
            e.add("response.output_text.delta", at(2, "msg_rich").add("content_index", 0).add("delta", half)
                    .add("logprobs", Json.createArrayBuilder()));
        }
        e.add("response.output_text.annotation.added", at(2, "msg_rich").add("content_index", 0)
                .add("annotation_index", 0).add("annotation", citation()));
        e.add("response.output_text.done", at(2, "msg_rich").add("content_index", 0).add("text", TEXT)
                .add("logprobs", Json.createArrayBuilder()));
        e.add("response.content_part.done", at(2, "msg_rich").add("content_index", 0).add("part", text(TEXT)));
        e.add("response.output_item.done", item(2).add("item", message("completed", TEXT)));
        e.add("response.completed", Json.createObjectBuilder().add("response", response(request, "completed", true)));
        return e.text.toString();
    }

    private static final class Events {
        private final StringBuilder text = new StringBuilder();
        private int seq;

        void add(String type, JsonObjectBuilder data) {
            text.append("event: ").append(type).append("\ndata: ")
                    .append(data.add("type", type).add("sequence_number", seq++).build()).append("\n\n");
        }
    }

    private static JsonObjectBuilder response(JsonObject request, String status, boolean done) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", "resp_rich_2").add("object", "response")
                .add("created_at", 1_764_000_000).add("status", status).add("background", false)
                .add("error", JsonValue.NULL).add("incomplete_details", JsonValue.NULL)
                .add("instructions", echo(request, "instructions", JsonValue.NULL))
                .add("max_output_tokens", echo(request, "max_output_tokens", JsonValue.NULL))
                .add("model", request.getString("model"))
                .add("output", done ? Json.createArrayBuilder().add(reasoning(request, true)).add(search("completed"))
                        .add(message("completed", TEXT)) : Json.createArrayBuilder())
                .add("parallel_tool_calls", true)
                .add("previous_response_id", echo(request, "previous_response_id", JsonValue.NULL))
                .add("reasoning", echo(request, "reasoning", Json.createObjectBuilder().add("effort", "medium")
                        .add("summary", JsonValue.NULL).build()))
                .add("store", echo(request, "store", JsonValue.TRUE))
                .add("temperature", 1.0)
                .add("text", echo(request, "text", Json.createObjectBuilder()
                        .add("format", Json.createObjectBuilder().add("type", "text")).build()))
                .add("tool_choice", "auto")
                .add("tools", echo(request, "tools", JsonValue.EMPTY_JSON_ARRAY))
                .add("top_p", 1.0).add("truncation", "disabled")
                .add("metadata", echo(request, "metadata", JsonValue.EMPTY_JSON_OBJECT));
        b.add("usage", done ? Json.createObjectBuilder().add("input_tokens", INPUT)
                .add("input_tokens_details", Json.createObjectBuilder().add("cached_tokens", 0))
                .add("output_tokens", OUTPUT)
                .add("output_tokens_details", Json.createObjectBuilder().add("reasoning_tokens", REASONING))
                .add("total_tokens", INPUT + OUTPUT).build() : JsonValue.NULL);
        return b;
    }

    private static JsonValue echo(JsonObject request, String field, JsonValue otherwise) {
        return request.containsKey(field) ? request.get(field) : otherwise;
    }

    private static JsonObjectBuilder reasoning(JsonObject request, boolean done) {
        JsonArrayBuilder summary = Json.createArrayBuilder();
        if (done) {
            summary.add(Json.createObjectBuilder().add("type", "summary_text").add("text", SUMMARY));
        }
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", "rs_rich").add("type", "reasoning").add("summary", summary);
        boolean encrypted = request.get("include") instanceof JsonArray include
                && include.contains(Json.createValue("reasoning.encrypted_content"));
        if (encrypted) {
            b.add("encrypted_content", ENCRYPTED);
        }
        return b;
    }

    private static JsonObjectBuilder search(String status) {
        JsonObjectBuilder b = Json.createObjectBuilder().add("id", "ws_rich").add("type", "web_search_call").add("status", status);
        if (status.equals("completed")) {
            b.add("action", Json.createObjectBuilder().add("type", "search").add("query", "weather Paris today"));
        }
        return b;
    }

    private static JsonObjectBuilder message(String status, String text) {
        JsonArrayBuilder content = Json.createArrayBuilder();
        if (!text.isEmpty()) {
            content.add(text(text));
        }
        return Json.createObjectBuilder().add("id", "msg_rich").add("type", "message").add("status", status)
                .add("content", content).add("role", "assistant");
    }

    private static JsonObjectBuilder text(String text) {
        JsonArrayBuilder annotations = Json.createArrayBuilder();
        if (!text.isEmpty()) {
            annotations.add(citation());
        }
        return Json.createObjectBuilder().add("type", "output_text").add("annotations", annotations)
                .add("logprobs", Json.createArrayBuilder()).add("text", text);
    }

    private static JsonObjectBuilder citation() {
        return Json.createObjectBuilder().add("type", "url_citation").add("start_index", 0).add("end_index", TEXT.length())
                .add("title", "Paris weather").add("url", "https://weather.example/paris");
    }

    private static JsonObjectBuilder item(int index) {
        return Json.createObjectBuilder().add("output_index", index);
    }

    private static JsonObjectBuilder at(int index, String itemId) {
        return Json.createObjectBuilder().add("item_id", itemId).add("output_index", index);
    }
}
