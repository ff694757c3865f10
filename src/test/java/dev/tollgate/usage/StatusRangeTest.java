package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StatusRangeTest {
    @Test
    void aCodeAClassOrEveryError() {
        assertEquals(new StatusRange(429, 429), StatusRange.parse(" 429 "));
        assertEquals(new StatusRange(500, 599), StatusRange.parse("5XX"));
        assertEquals(new StatusRange(200, 299), StatusRange.parse("2xx"));
        assertEquals(new StatusRange(400, 599), StatusRange.parse("error"));
    }

    @Test
    void anythingElseSaysWhatItTakesWithoutEchoingALongValue() {
        for (String bad : new String[] {"600", "6xx", "42", "4xxx", "", "ok"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StatusRange.parse(bad), bad);
            assertTrue(e.getMessage().contains("such as 5xx"), e.getMessage());
        }
        String message = assertThrows(IllegalArgumentException.class, () -> StatusRange.parse("9".repeat(10_000)))
                .getMessage();
        assertTrue(message.length() < 120, message);
    }
}
