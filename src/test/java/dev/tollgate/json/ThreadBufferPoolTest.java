package dev.tollgate.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ThreadBufferPoolTest {
    @Test
    void aThreadGetsBackTheBufferItGaveAndNoOtherThreadDoes() throws Exception {
        ThreadBufferPool pool = new ThreadBufferPool();
        char[] first = pool.take();
        assertEquals(ThreadBufferPool.SIZE, first.length);
        assertNotSame(first, pool.take(), "a buffer in use is not handed out twice");
        pool.recycle(first);
        char[] elsewhere = CompletableFuture.supplyAsync(pool::take).get();
        assertNotSame(first, elsewhere, "another thread's spare is not shared");
        assertSame(first, pool.take(), "the thread's own spare comes back");
        assertNotSame(first, pool.take(), "and only once");
    }

    @Test
    void aGrownBufferIsNotKept() {
        ThreadBufferPool pool = new ThreadBufferPool();
        char[] grown = new char[ThreadBufferPool.SIZE * 64];
        pool.recycle(grown);
        assertEquals(ThreadBufferPool.SIZE, pool.take().length, "a parser's grown buffer stays with the collector");
    }

    @Test
    void theBoundedParsersReadThroughThePool() {
        String text = "{\"a\":\"" + "x".repeat(3 * ThreadBufferPool.SIZE) + "\",\"b\":[1,2,{\"c\":null}]}";
        for (int i = 0; i < 3; i++) { // the same spare, used again, reads the same document
            assertEquals(3 * ThreadBufferPool.SIZE, BoundedJson.tryObject(text, BoundedJson.Bounds.UPSTREAM)
                    .orElseThrow().getString("a").length());
        }
    }
}
