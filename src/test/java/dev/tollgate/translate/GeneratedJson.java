package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Pieces of made-up JSON for the stream readers' tests: fields that may or may not come, in any order. */
final class GeneratedJson {
    private GeneratedJson() {
    }

    /** Adds {@code field} half the time. */
    static void maybe(Random r, List<String> fields, String field) {
        if (r.nextBoolean()) {
            fields.add(field);
        }
    }

    static String pick(Random r, String... options) {
        return options[r.nextInt(options.length)];
    }

    /** An object of {@code fields}, in an order of {@code r}'s choosing. */
    static String object(Random r, List<String> fields) {
        Collections.shuffle(fields, r);
        return "{" + String.join(",", fields) + "}";
    }

    /**
     * Streams of made-up events, each read by {@code codec}'s decoder (parsed whole, then read) and
     * read back for the request log (straight from the text): the same events, error and end, or
     * both refuse the same event (the rest of that stream is not compared).
     */
    static void assertReadBackAsDecoded(ChatCodec codec, Function<Random, String> event, int eventsPerStream) {
        Random random = new Random(20261205);
        for (int stream = 0; stream < 2_000; stream++) {
            ChatCodec.StreamDecoder decoder = codec.streamDecoder(() -> 0);
            ChatCodec.StreamDecoder reread = codec.transcriptDecoder();
            for (int e = 0; e < eventsPerStream; e++) {
                String data = event.apply(random);
                List<Chat.Event> expected;
                try {
                    expected = decoder.decode(data);
                } catch (TranslationException refused) {
                    assertThrows(TranslationException.class, () -> reread.decode(data), data);
                    break;
                }
                assertEquals(expected, reread.decode(data), data);
                assertEquals(decoder.error(), reread.error(), data);
                assertEquals(decoder.done(), reread.done(), data);
            }
        }
    }
}
