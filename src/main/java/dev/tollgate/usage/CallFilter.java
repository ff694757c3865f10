package dev.tollgate.usage;

import java.util.ArrayList;
import java.util.List;

/**
 * Which calls a bundle holds: a period and, optionally, a model (requested or routed; {@code *}
 * matches any run of characters, as in {@code gpt-4*}), a key (its id or its masked form) and a
 * user. Usage records and log entries name these columns alike, so one filter reads both.
 *
 * @param fromMs first millisecond in (inclusive)
 * @param toMs   first millisecond out (exclusive)
 */
public record CallFilter(long fromMs, long toMs, String model, String key, String user) {
    public CallFilter {
        if (toMs <= fromMs) {
            throw new IllegalArgumentException("the period ends before it starts");
        }
    }

    /** The condition, to follow {@code WHERE}, and its parameters in order. */
    public String sql(List<Object> params) {
        StringBuilder where = new StringBuilder("ts >= ? AND ts < ?");
        params.add(fromMs);
        params.add(toMs);
        if (model != null) {
            String like = model.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('*', '%');
            where.append(" AND (requested_model LIKE ? ESCAPE '\\' OR model LIKE ? ESCAPE '\\')");
            params.add(like);
            params.add(like);
        }
        if (key != null) {
            where.append(" AND (key_id = ? OR api_key_masked = ?)");
            params.add(key);
            params.add(key);
        }
        if (user != null) {
            where.append(" AND user_id = ?");
            params.add(user);
        }
        return where.toString();
    }

    /** The filter as the bundle's manifest records it. */
    public List<String> described() {
        List<String> out = new ArrayList<>();
        if (model != null) {
            out.add("model=" + model);
        }
        if (key != null) {
            out.add("key=" + key);
        }
        if (user != null) {
            out.add("user=" + user);
        }
        return out;
    }
}
