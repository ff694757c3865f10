package dev.tollgate.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that is kept or shown (the gateway log buffer, a refused config's error):
 * every secret the config holds, word for word, and whatever has the shape of a key or a bearer
 * token, so a key pasted into the wrong field of a file is not echoed to the log page or to health.
 */
public final class SecretMask {
    public static final String MASK = "***";
    /** Shorter strings are not masked word for word: they would mask ordinary words. */
    private static final int MIN_KNOWN = 6;
    private static final List<Pattern> SHAPES = List.of(
            Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}"),
            Pattern.compile("(?<![A-Za-z0-9])(sk|pk|rk)-[A-Za-z0-9_-]{8,}"),
            Pattern.compile("AIza[0-9A-Za-z_-]{20,}"),
            Pattern.compile("(?i)((?:api[-_]?key|password|secret|token)[\"']?\\s*[:=]\\s*[\"']?)[^\\s\"',;}]{4,}"));

    private SecretMask() {
    }

    /** {@code text} with each of {@code known} and each key-shaped string replaced by {@value #MASK}. */
    public static String mask(String text, Collection<String> known) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : known.stream().filter(k -> k != null && k.length() >= MIN_KNOWN)
                .sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
            out = out.replace(secret, MASK);
        }
        for (Pattern p : SHAPES) {
            out = p.matcher(out).replaceAll(m -> m.groupCount() >= 1 && m.group(1) != null && p != SHAPES.get(1)
                    ? Matcher.quoteReplacement(m.group(1)) + MASK : MASK);
        }
        return out;
    }

    /** The secrets a config holds: client keys, upstream keys and header values. */
    public static List<String> of(TollgateConfig config) {
        List<String> secrets = new ArrayList<>(config.apiKeys());
        config.credentials().forEach(c -> {
            secrets.add(c.apiKey());
            secrets.addAll(c.headers().values());
        });
        secrets.addAll(config.otel().headers().values()); // a collector's token
        return secrets;
    }
}
