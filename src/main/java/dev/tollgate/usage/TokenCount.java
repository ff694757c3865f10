package dev.tollgate.usage;

import jakarta.json.JsonNumber;
import jakarta.json.JsonValue;
import java.math.BigDecimal;

/**
 * Reads one token count from an upstream's usage, whatever number it holds. {@code longValue()}
 * would turn {@code 1e308} into 0 and {@code 1e19} into a negative; here a count is cut to a whole
 * number and held within ±{@value #SATURATION}, far beyond any real count yet small enough that the
 * few sums the readers make cannot overflow. {@link UsageSanity} then decides what is believable.
 */
final class TokenCount {
    static final long SATURATION = 1_000_000_000_000_000L;
    private static final BigDecimal HIGH = BigDecimal.valueOf(SATURATION);
    private static final BigDecimal LOW = HIGH.negate();

    private TokenCount() {
    }

    /** The count in {@code value}; 0 when it is absent or not a number. */
    static long of(JsonValue value) {
        if (!(value instanceof JsonNumber n)) {
            return 0;
        }
        BigDecimal d = n.bigDecimalValue();
        if (d.compareTo(HIGH) >= 0) {
            return SATURATION;
        }
        if (d.compareTo(LOW) <= 0) {
            return -SATURATION;
        }
        return d.longValue(); // within ±10^15: the whole part, exactly
    }
}
