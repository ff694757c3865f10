package dev.tollgate.app;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GuardedTimerTest {
    @Test
    void aPeriodicTaskThatThrowsAnErrorRunsAgain() throws InterruptedException {
        GuardedTimer timer = new GuardedTimer(1);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch thrice = new CountDownLatch(3);
        timer.scheduleWithFixedDelay(() -> {
            runs.incrementAndGet();
            thrice.countDown();
            throw new StackOverflowError("simulated"); // a plain executor would never run it again
        }, 0, 10, TimeUnit.MILLISECONDS);
        assertTrue(thrice.await(10, TimeUnit.SECONDS), "ran " + runs.get() + " time(s)");
        timer.shutdownNow();
    }
}
