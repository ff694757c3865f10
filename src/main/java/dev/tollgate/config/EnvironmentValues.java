package dev.tollgate.config;

import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ${VAR}} and {@code ${VAR:-default}} in any config value, as container platforms pass
 * secrets and settings. The default applies when the variable is unset or empty (as in a POSIX
 * shell); {@code $${} writes a literal {@code ${}. A variable that is unset and has no default is
 * an error naming the key, never a silent empty value. Expanded text is not expanded again.
 */
public final class EnvironmentValues implements UnaryOperator<String> {
    private static final Pattern REFERENCE = Pattern.compile("\\$\\$\\{|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    private final Map<String, String> environment;

    public EnvironmentValues(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    @Override
    public String apply(String value) {
        if (value.indexOf("${") < 0) {
            return value;
        }
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder(value.length());
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = "${";
            } else {
                String set = environment.get(m.group(1));
                if (set != null && !set.isEmpty()) {
                    replacement = set;
                } else if (m.group(2) != null) {
                    replacement = m.group(2);
                } else {
                    throw new IllegalStateException("names the environment variable " + m.group(1)
                            + ", which is not set (write ${" + m.group(1) + ":-default} to give a default)");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
