package dev.tollgate.route;

import java.util.regex.Pattern;

/** Model-name globs as written in config: {@code *} any run of characters, {@code ?} one character. */
final class Glob {
    private final Pattern pattern;

    /** Whether {@code text} holds a wildcard ({@code *} or {@code ?}). */
    static boolean isPattern(String text) {
        return text.indexOf('*') >= 0 || text.indexOf('?') >= 0;
    }

    Glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append(".*");
                case '?' -> re.append('.');
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        this.pattern = Pattern.compile(re.toString(), Pattern.CASE_INSENSITIVE);
    }

    boolean matches(String name) {
        return pattern.matcher(name).matches();
    }
}
