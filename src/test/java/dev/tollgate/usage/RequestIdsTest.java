package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RequestIdsTest {
    @Test
    void idsAreVersion7UuidsThatSortAsTheyWereMadeAndNeverRepeat() {
        long before = System.currentTimeMillis();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            ids.add(RequestIds.next());
        }
        long after = System.currentTimeMillis();
        for (int i = 1; i < ids.size(); i++) { // as text, the way the stores' indexes order them
            assertTrue(ids.get(i - 1).compareTo(ids.get(i)) < 0, ids.get(i - 1) + " then " + ids.get(i));
        }
        assertEquals(ids.size(), new HashSet<>(ids).size());
        UUID first = UUID.fromString(ids.get(0));
        assertEquals(7, first.version());
        assertEquals(2, first.variant());
        long millis = first.getMostSignificantBits() >>> 16;
        assertTrue(millis >= before && millis <= after, "timestamp " + millis + " outside " + before + ".." + after);
    }
}
