package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AnthropicUsageTest {
    private static AnthropicStreamObserver fed(String... events) {
        AnthropicStreamObserver o = new AnthropicStreamObserver(() -> 99);
        for (String e : events) {
            byte[] raw = ("data: " + e + "\n\n").getBytes(StandardCharsets.UTF_8);
            assertEquals(raw, o.onEvent(raw, e.replace('\'', '"')), "same-format streams pass untouched");
        }
        return o;
    }

    @Test
    void fieldByFieldTheLatestWinsNeverAdded() {
        AnthropicStreamObserver o = fed(
                "{'type':'message_start','message':{'id':'msg_1','usage':{'input_tokens':100,'output_tokens':1,"
                        + "'cache_read_input_tokens':50,'cache_creation_input_tokens':0}}}",
                "{'type':'message_delta','delta':{'stop_reason':'end_turn'},'usage':{'output_tokens':30}}",
                "{'type':'message_stop'}");
        assertEquals(new TokenUsage(150, 30, 180, 50, 0, 0, 0), o.usage(), "not 31 output tokens: start + delta is wrong");
        assertEquals(UsageQuality.REPORTED, o.quality());

        AnthropicStreamObserver repeats = fed(
                "{'type':'message_start','message':{'id':'msg_2','usage':{'input_tokens':10,'output_tokens':1}}}",
                "{'type':'message_delta','usage':{'input_tokens':12,'output_tokens':7,'cache_read_input_tokens':3}}",
                "{'type':'message_delta','usage':{'output_tokens':9}}",
                "{'type':'message_stop'}");
        assertEquals(new TokenUsage(15, 9, 24, 3, 0, 0, 0), repeats.usage(),
                "a delta that repeats input counts replaces them; a later output count replaces the earlier");
    }

    @Test
    void cacheWritesWithoutTheBreakdownCountAsFiveMinuteWrites() {
        AnthropicUsage u = new AnthropicUsage();
        u.merge(Json.createReader(new StringReader(
                "{\"input_tokens\":5,\"output_tokens\":2,\"cache_creation_input_tokens\":40}")).readObject());
        assertEquals(new TokenUsage(45, 2, 47, 0, 0, 40, 0), u.tokens());
    }

    @Test
    void aStreamWithoutItsEndIsPartialAndCountsTheTextSeen() {
        AnthropicStreamObserver o = fed(
                "{'type':'message_start','message':{'id':'m','usage':{'input_tokens':20,'output_tokens':1}}}",
                "{'type':'content_block_delta','index':0,'delta':{'type':'text_delta','text':'one two three four'}}");
        assertEquals(UsageQuality.PARTIAL, o.quality());
        assertEquals(20, o.usage().prompt());
        assertEquals(4, o.usage().completion());
        assertEquals(false, o.done());
    }
}
