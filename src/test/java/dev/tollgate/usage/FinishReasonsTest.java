package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FinishReasonsTest {
    private static List<String> of(String json) {
        List<String> out = new ArrayList<>();
        FinishReasons.collect(Json.createReader(new StringReader(json)).readObject(), out);
        return out;
    }

    @Test
    void eachFormatSaysWhyInItsOwnField() {
        assertEquals(List.of("stop", "length"), of("{\"choices\":[{\"finish_reason\":\"stop\"},{\"finish_reason\":\"length\"},"
                + "{\"finish_reason\":null}]}"));
        assertEquals(List.of("end_turn"), of("{\"type\":\"message\",\"stop_reason\":\"end_turn\"}"));
        assertEquals(List.of("tool_use"), of("{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"}}"));
        assertEquals(List.of("STOP"), of("{\"candidates\":[{\"finishReason\":\"STOP\"}]}"));
        assertEquals(List.of("completed"), of("{\"object\":\"response\",\"status\":\"completed\"}"));
        assertEquals(List.of("max_output_tokens"), of("{\"object\":\"response\",\"status\":\"incomplete\","
                + "\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}"));
        assertEquals(List.of("completed"), of("{\"type\":\"response.completed\",\"response\":{\"object\":\"response\","
                + "\"status\":\"completed\"}}"));
        assertEquals(List.of(), of("{\"type\":\"response.created\",\"response\":{\"object\":\"response\","
                + "\"status\":\"in_progress\"}}"), "a stream's start says nothing of its end");
        assertEquals(List.of(), of("{\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}"));
    }

    @Test
    void anUpstreamCannotMakeTheListLongOrTheReasonsHuge() {
        StringBuilder choices = new StringBuilder("{\"choices\":[");
        for (int i = 0; i < 100; i++) {
            choices.append(i == 0 ? "" : ",").append("{\"finish_reason\":\"").append("x".repeat(1000)).append("\"}");
        }
        List<String> reasons = of(choices.append("]}").toString());
        assertEquals(FinishReasons.MAX_REASONS, reasons.size());
        assertEquals(FinishReasons.MAX_LENGTH, reasons.get(0).length());
    }
}
