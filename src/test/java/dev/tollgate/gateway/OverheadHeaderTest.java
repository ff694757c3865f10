package dev.tollgate.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The overhead header's figure: milliseconds with three decimals, as clients and the bench parse it. */
class OverheadHeaderTest {
    @Test
    void millisecondsWithThreeDecimals() {
        assertEquals("0.137", CallRun.millis(137_400));
        assertEquals("0.005", CallRun.millis(5_999));
        assertEquals("0.000", CallRun.millis(0));
        assertEquals("0.000", CallRun.millis(-3), "a clock step never makes a negative figure");
        assertEquals("12.040", CallRun.millis(12_040_000));
        assertEquals("1234.567", CallRun.millis(1_234_567_000));
    }
}
