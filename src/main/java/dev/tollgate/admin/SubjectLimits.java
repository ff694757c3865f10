package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.limit.RateLimiter;
import dev.tollgate.limit.Subject;
import jakarta.json.JsonObject;

/** Reading and replacing the limits of one key or user, the same way for both. */
final class SubjectLimits {
    private SubjectLimits() {
    }

    /** {@code {"subject","id","limits":{…},"used":{…}}}: the limits and what the subject has used now. */
    static JsonObject view(RateLimiter limiter, Subject s) {
        return JSON.createObjectBuilder().add("subject", s.kind().name().toLowerCase(java.util.Locale.ROOT))
                .add("id", s.id())
                .add("limits", AdminJson.limits(limiter.limitsOf(s).values()))
                .add("used", AdminJson.limits(limiter.used(s)))
                .build();
    }

    /** Replaces the whole set: fields left out or null are not limited. */
    static JsonObject replace(RateLimiter limiter, Subject s, String body) {
        limiter.setLimits(s, AdminJson.limitSet(AdminJson.body(body, AdminJson.limitFields())));
        return view(limiter, s);
    }
}
