package dev.tollgate.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * One client key as the records know it: its hash (the identity; empty for calls without a key)
 * and its masked form (what people see). Two keys can share a masked form ({@code ***abc} keeps
 * only three characters), so a breakdown by key groups by the hash and labels by the masked form.
 */
record KeyId(String hash, String masked) {
    /** How much of the hash tells apart keys that share a masked form; a hash's prefix reveals nothing of the key. */
    static final int HASH_SHOWN = 8;

    KeyId {
        hash = hash == null ? "" : hash; // the records' NULL is the rollups' ''
    }

    /**
     * The groups under their labels: the masked form, followed by the start of the hash where
     * two keys in the same report would otherwise read alike.
     */
    static Map<String, Totals> labelled(Map<KeyId, Totals> byKey) {
        Map<String, Integer> sharing = new HashMap<>();
        byKey.keySet().forEach(k -> sharing.merge(k.masked(), 1, Integer::sum));
        Map<String, Totals> out = new HashMap<>();
        byKey.forEach((k, t) -> out.merge(sharing.get(k.masked()) > 1 ? k.disambiguated() : k.masked(), t,
                Totals::plus));
        return out;
    }

    private String disambiguated() {
        return masked + " (" + hash.substring(0, Math.min(HASH_SHOWN, hash.length())) + ")";
    }
}
