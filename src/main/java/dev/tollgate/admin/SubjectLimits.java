package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.limit.RateLimiter;
import dev.tollgate.limit.Subject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.Response;
import java.util.Locale;

/** Reading and replacing the limits of one key or user, the same way for both. */
final class SubjectLimits {
    private SubjectLimits() {
    }

    /** GET of a subject's limits, after {@code mustExist} checked that it exists (404 otherwise). */
    static Response get(RateLimiter limiter, Runnable mustExist, Subject s) {
        return AdminJson.respond(() -> {
            mustExist.run();
            return AdminJson.ok(view(limiter, s));
        });
    }

    /** PUT of a subject's limits: the whole set is replaced; fields left out or null are not limited. */
    static Response put(RateLimiter limiter, Runnable mustExist, Subject s, String body) {
        return AdminJson.respond(() -> {
            mustExist.run();
            limiter.setLimits(s, AdminJson.limitSet(AdminJson.body(body, AdminJson.limitFields())));
            return AdminJson.ok(view(limiter, s));
        });
    }

    /**
     * {@code {"subject","id","limits":{…},"effective":{…},"used":{…}}}: the limits set on the subject
     * (what a PUT replaces), those in force (with the config's per-key default under them), and what
     * the subject has used now.
     */
    private static JsonObject view(RateLimiter limiter, Subject s) {
        return JSON.createObjectBuilder().add("subject", s.kind().name().toLowerCase(Locale.ROOT))
                .add("id", s.id())
                .add("limits", AdminJson.limits(limiter.ownLimits(s).values()))
                .add("effective", AdminJson.limits(limiter.limitsOf(s).values()))
                .add("used", AdminJson.limits(limiter.used(s)))
                .build();
    }
}
