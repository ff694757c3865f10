package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import dev.tollgate.upstream.mock.MockUpstream;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {
    private static JsonObject json(String s) {
        return Json.createReader(new StringReader(s)).readObject();
    }

    @Test
    void chatPromptAddsOpenAiFraming() {
        JsonObject chat = json("{\"messages\":[{\"role\":\"user\",\"content\":\"Hello world\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello world\"}]}]}");
        // 2 tokens per "Hello world", 3 per message, 3 to prime the reply
        assertEquals(2 + 2 + 3 + 3 + 3, TokenEstimator.prompt(chat));
    }

    @Test
    void completionAndEmbeddingInputs() {
        assertEquals(2, TokenEstimator.prompt(json("{\"prompt\":\"Hello world\"}")));
        assertEquals(4, TokenEstimator.prompt(json("{\"input\":[\"Hello world\",\"Hello world\"]}")));
    }

    @Test
    void theBoundIsTheUtf8LengthAndNeverBelowTheCount() {
        Random random = new Random(7);
        int[][] ranges = {{0x20, 0x7e}, {0xa0, 0x7ff}, {0x800, 0xfff0}, {0x1f300, 0x1faff}, {0x20, 0x10ffff}};
        for (int i = 0; i < 2_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(60); n > 0; n--) {
                int[] range = ranges[random.nextInt(ranges.length)];
                int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
                if (!Character.isSurrogate((char) cp) || cp > 0xffff) {
                    text.appendCodePoint(cp);
                }
                if (random.nextInt(5) == 0) {
                    text.append(' ');
                }
            }
            String s = text.toString();
            assertEquals(s.getBytes(StandardCharsets.UTF_8).length, TokenEstimator.bound(s), s);
            Assertions.assertTrue(TokenEstimator.bound(s) >= TokenEstimator.count(s), s);
        }
        JsonObject chat = json("{\"system\":\"Só\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello world\","
                + "\"name\":\"ann\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"日本\"}]}]}");
        assertEquals(3 + 3 + 3 + 11 + 3 + 3 + 6, TokenEstimator.promptBound(chat), "the same framing over bytes");
        Assertions.assertTrue(TokenEstimator.promptBound(chat) >= TokenEstimator.prompt(chat));
    }

    @Test
    void mockTextOfNTokensIsNTokens() {
        for (int n : new int[] {1, 5, 24, 31, 100}) {
            assertEquals(n, TokenEstimator.count(MockUpstream.text(n)), "mock text of " + n + " tokens");
        }
    }

    @Test
    void windowsCutAtSpacesCountLikeTheWholeText() {
        StringBuilder prose = new StringBuilder();
        for (int i = 0; prose.length() < 5 * TokenEstimator.WINDOW; i++) {
            prose.append("Sentence number ").append(i).append(" talks about refunds, invoices and the weather. ");
        }
        long whole = Encodings.newLazyEncodingRegistry()
                .getEncoding(EncodingType.O200K_BASE).countTokensOrdinary(prose.toString());
        assertEquals(whole, TokenEstimator.count(prose.toString()));
    }

    @Test
    void beyondTheExactPartTheCountIsExtrapolated() {
        String unit = "word ";
        String text = unit.repeat(TokenEstimator.EXACT_CHARS / unit.length() * 2);
        long count = TokenEstimator.count(text);
        long exactHalf = TokenEstimator.count(text.substring(0, TokenEstimator.EXACT_CHARS));
        assertEquals(2 * exactHalf, count, 2);
    }

    /**
     * A prompt of one 8-million-character word, counted in a JVM with 128 MB of heap: before the
     * windows, jtokkit needed more than 512 MB for half of that and the server died.
     */
    @Test
    void aHugeSingleWordIsCountedInBoundedMemory() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-cp", System.getProperty("java.class.path"), HugeWord.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Assertions.assertTrue(Long.parseLong(out.trim()) > 8_000_000 / 16, out);
    }

    /** The child of {@link #aHugeSingleWordIsCountedInBoundedMemory}. */
    public static final class HugeWord {
        public static void main(String[] args) {
            System.out.println(TokenEstimator.count("a".repeat(8_000_000)));
        }
    }
}
