package dev.tollgate.usage;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;

/**
 * Request ids: UUIDv7 (RFC 9562), a millisecond timestamp followed by random bits. Ordered by time,
 * so a new usage record, log entry and log link lands at the end of its table's indexes instead of
 * on a random page; a random (v4) id made the request log's writer rewrite hundreds of scattered
 * pages per batch (docs/design-decisions.md). Still unguessable enough for what an id is: a name,
 * never a credential.
 */
public final class RequestIds {
    private static final TimeBasedEpochGenerator V7 = Generators.timeBasedEpochGenerator();

    private RequestIds() {
    }

    public static String next() {
        return V7.generate().toString();
    }
}
