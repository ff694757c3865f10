package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of a message a hit shows: some thirty words around the first word the query matched,
 * the query's words marked. Cut here, the same way on both engines, from the stored text as it
 * is (PostgreSQL's own headline drops anything that looks like an HTML tag, FTS5's keeps it);
 * pages escape every segment.
 */
final class Snippet {
    static final int BEFORE = 8;
    static final int WORDS = 32;
    /** Only the start of a long message is looked at. */
    static final int SCAN = 100_000;

    private Snippet() {
    }

    static List<LogSearch.Segment> of(String text, SearchQuery.Node query) {
        List<SearchQuery.Term> shown = new ArrayList<>();
        query.shown(shown);
        String t = text.length() > SCAN ? text.substring(0, SCAN) : text;
        List<int[]> words = new ArrayList<>(); // start, end, matched
        int i = 0;
        while (i < t.length()) {
            int c = t.codePointAt(i);
            if (!Character.isLetterOrDigit(c)) {
                i += Character.charCount(c);
                continue;
            }
            int start = i;
            while (i < t.length() && Character.isLetterOrDigit(t.codePointAt(i))) {
                i += Character.charCount(t.codePointAt(i));
            }
            String word = t.substring(start, i).toLowerCase(Locale.ROOT);
            boolean matched = shown.stream().anyMatch(s -> s.prefix() ? word.startsWith(s.word()) : word.equals(s.word()));
            words.add(new int[] {start, i, matched ? 1 : 0});
        }
        if (words.isEmpty()) {
            return List.of();
        }
        int first = 0;
        while (first < words.size() && words.get(first)[2] == 0) {
            first++;
        }
        int from = first == words.size() ? 0 : Math.max(0, first - BEFORE);
        int to = Math.min(words.size(), from + WORDS);
        List<LogSearch.Segment> out = new ArrayList<>();
        StringBuilder plain = new StringBuilder(from > 0 ? "…" : "");
        int at = words.get(from)[0];
        for (int w = from; w < to; w++) {
            int[] word = words.get(w);
            if (word[2] == 1) {
                plain.append(flat(t.substring(at, word[0])));
                if (!plain.isEmpty()) {
                    out.add(new LogSearch.Segment(plain.toString(), false));
                    plain.setLength(0);
                }
                out.add(new LogSearch.Segment(t.substring(word[0], word[1]), true));
                at = word[1];
            }
        }
        int end = to < words.size() ? words.get(to - 1)[1] : t.length();
        plain.append(flat(t.substring(at, end))).append(to < words.size() || t.length() < text.length() ? "…" : "");
        if (!plain.isEmpty()) {
            out.add(new LogSearch.Segment(plain.toString(), false));
        }
        return out;
    }

    private static String flat(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }
}
