package dev.tollgate.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.translate.Chat.Message;
import dev.tollgate.translate.Chat.Origin;
import dev.tollgate.translate.Chat.Reasoning;
import dev.tollgate.translate.Chat.Role;
import dev.tollgate.translate.Chat.Text;
import dev.tollgate.translate.Chat.ToolCall;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReasoningMemoryTest {
    private static final Reasoning SIGNED = new Reasoning("think", "sig", false, Origin.ANTHROPIC);

    private static Chat.Request history(List<Chat.Part> assistant) {
        return new Chat.Request("m", null, List.of(new Message(Role.USER, List.of(new Text("q"))),
                new Message(Role.ASSISTANT, assistant)), List.of(), null, OptionalLong.empty(), null, null, List.of(),
                false, null);
    }

    @Test
    void aTurnSentBackWithoutItsThinkingGetsItBackForItsCallerOnly() {
        ReasoningMemory memory = new ReasoningMemory(100, 1_000_000);
        memory.remember("alice", List.of(SIGNED, new ToolCall("toolu_1", "f", "{}")));
        Chat.Request bare = history(List.of(new Reasoning("unsigned text", "", false, null), new ToolCall("toolu_1", "f", "{}")));
        assertEquals(List.of(SIGNED, new ToolCall("toolu_1", "f", "{}")),
                memory.restore("alice", bare).messages().get(1).parts(), "the signed block first, the unsigned one replaced");
        assertSame(bare, memory.restore("mallory", bare), "another caller's memory is not theirs to use");
        Chat.Request own = history(List.of(new Reasoning("t", "own", false, Origin.ANTHROPIC),
                new ToolCall("toolu_1", "f", "{}")));
        assertSame(own, memory.restore("alice", own), "a turn that kept its own signature is left as sent");
    }

    @Test
    void aStreamIsRememberedAsItPasses() {
        ReasoningMemory memory = new ReasoningMemory(100, 1_000_000);
        memory.listener("bob").accept(List.of(new Chat.ReasoningDelta("thi"), new Chat.ReasoningDelta("nk"),
                new Chat.ReasoningSigned("sig", false, Origin.ANTHROPIC), new Chat.ToolStarted(0, "toolu_2", "f")));
        assertEquals(SIGNED, memory.restore("bob", history(List.of(new ToolCall("toolu_2", "f", "{}"))))
                .messages().get(1).parts().get(0));
    }

    @Test
    void itHoldsNoMoreThanItsBounds() {
        ReasoningMemory memory = new ReasoningMemory(10, 10_000);
        for (int i = 0; i < 50; i++) {
            memory.remember("c", List.of(SIGNED, new ToolCall("call_" + i, "f", "{}")));
        }
        assertEquals(10, memory.size(), "by count, the oldest let go");
        assertEquals(List.of(new ToolCall("call_0", "f", "{}")),
                memory.restore("c", history(List.of(new ToolCall("call_0", "f", "{}")))).messages().get(1).parts());
        memory.remember("c", List.of(new Reasoning("x".repeat(5_000), "sig", false, Origin.ANTHROPIC),
                new ToolCall("huge", "f", "{}")));
        assertEquals(10, memory.size(), "one entry larger than a quarter of the room is not kept");
        ReasoningMemory small = new ReasoningMemory(1_000, 2_000);
        for (int i = 0; i < 50; i++) {
            small.remember("c", List.of(new Reasoning("y".repeat(400), "sig", false, Origin.ANTHROPIC),
                    new ToolCall("call_" + i, "f", "{}")));
        }
        assertTrue(small.size() <= 2_000 / 400, "by characters: " + small.size());
    }
}
