package dev.tollgate.route;

import dev.tollgate.config.ProviderCredential;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How one credential stands now, as operators see it (admin API, dashboard): {@code ok},
 * {@code cooling} until when, or {@code disabled}, with its recent trouble. Labels and base URLs
 * only: keys and header values never appear.
 */
public record CredentialStatus(String provider, String label, String wire, String baseUrl, String state,
                               Instant coolingUntil, int failuresInARow, String lastError) {

    /** Every configured credential, in config order. */
    public static List<CredentialStatus> of(List<ProviderCredential> credentials, Cooldowns cooldowns, Instant now) {
        Map<String, Cooldowns.State> trouble = cooldowns.snapshot();
        List<CredentialStatus> out = new ArrayList<>(credentials.size());
        for (ProviderCredential c : credentials) {
            Cooldowns.State s = trouble.get(c.label());
            boolean cooling = s != null && s.until().isAfter(now);
            String state = c.disabled() ? "disabled" : cooling ? "cooling" : "ok";
            out.add(new CredentialStatus(c.provider(), c.label(), c.wire().name().toLowerCase(Locale.ROOT),
                    c.baseUrl().toString(), state, cooling ? s.until() : null, s == null ? 0 : s.failures(),
                    s == null ? null : s.lastError()));
        }
        return out;
    }

    /** Whether the credential had trouble recently (failures or an error to show). */
    public boolean troubled() {
        return failuresInARow > 0;
    }
}
