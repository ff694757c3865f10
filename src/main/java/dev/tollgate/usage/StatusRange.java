package dev.tollgate.usage;

import java.util.Locale;

/**
 * The statuses a listing asks for: one ({@code 429}), a class ({@code 5xx}), or every error
 * ({@code error}: 400 and above). One parser for every page and API that filters calls by status.
 */
public record StatusRange(int low, int high) {
    /** Parses {@code 429}, {@code 5xx} or {@code error}; anything else says what it takes. */
    public static StatusRange parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("error")) {
            return new StatusRange(400, 599);
        }
        if (t.matches("[1-5]xx")) {
            int base = (t.charAt(0) - '0') * 100;
            return new StatusRange(base, base + 99);
        }
        if (t.matches("[1-5][0-9][0-9]")) {
            int s = Integer.parseInt(t);
            return new StatusRange(s, s);
        }
        throw new IllegalArgumentException("'status' must be a code such as 429, a class such as 5xx, or 'error' (got '"
                + (text.length() > 16 ? text.substring(0, 16) + "…" : text) + "')");
    }
}
