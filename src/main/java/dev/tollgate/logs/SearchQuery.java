package dev.tollgate.logs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A log search as the user typed it, parsed into a tree both engines can run: words (all must
 * match), {@code OR}, {@code NOT}, {@code "exact phrase"}, {@code prefix*}, {@code a NEAR/3 b}
 * (at most three words between, either order) and parentheses. Anything else is a
 * {@link BadQuery} that says what is wrong and where. Bounded before any work: at most
 * {@value #MAX_LENGTH} characters, {@value #MAX_TERMS} words, nesting {@value #MAX_DEPTH} deep,
 * {@code NEAR/1} to {@code NEAR/}{@value #MAX_NEAR}.
 */
public final class SearchQuery {
    public static final int MAX_LENGTH = 500;
    static final int MAX_TERMS = 32;
    static final int MAX_DEPTH = 8;
    static final int MAX_NEAR = 20;

    /**
     * A node of the parsed query, which writes itself in each engine's terms with the same meaning:
     * an FTS5 {@code MATCH} expression for SQLite, a {@code tsquery} over bound parameters for
     * PostgreSQL. Every word is quoted or bound, so nothing typed is read as the engine's syntax.
     */
    public sealed interface Node permits Term, Phrase, All, Any, Without, Near {
        /** The FTS5 MATCH expression. */
        String fts5();

        /** A tsquery expression; its parameters, in order, are added to {@code params}. */
        String postgres(List<Object> params);

        /** The words a match of this query shows, for marking them in a snippet (not those after NOT). */
        void shown(List<Term> out);
    }

    /** One word, or every word that starts with it. */
    public record Term(String word, boolean prefix) implements Node {
        @Override
        public String fts5() {
            return "\"" + word + "\"" + (prefix ? "*" : "");
        }

        @Override
        public String postgres(List<Object> params) {
            if (prefix) {
                params.add("'" + word + "':*"); // a word is letters and digits only: nothing to escape
                return "to_tsquery('simple', ?)";
            }
            params.add(word);
            return "phraseto_tsquery('simple', ?)";
        }

        @Override
        public void shown(List<Term> out) {
            out.add(this);
        }
    }

    /** Words next to each other in this order. */
    public record Phrase(List<String> words) implements Node {
        @Override
        public String fts5() {
            return "\"" + String.join(" ", words) + "\"";
        }

        @Override
        public String postgres(List<Object> params) {
            params.add(String.join(" ", words));
            return "phraseto_tsquery('simple', ?)";
        }

        @Override
        public void shown(List<Term> out) {
            words.forEach(w -> out.add(new Term(w, false)));
        }
    }

    /** Every part matches. */
    public record All(List<Node> parts) implements Node {
        @Override
        public String fts5() {
            return parts.stream().map(Node::fts5).collect(Collectors.joining(" AND ", "(", ")"));
        }

        @Override
        public String postgres(List<Object> params) {
            return parts.stream().map(p -> p.postgres(params)).collect(Collectors.joining(" && ", "(", ")"));
        }

        @Override
        public void shown(List<Term> out) {
            parts.forEach(p -> p.shown(out));
        }
    }

    /** Any part matches. */
    public record Any(List<Node> parts) implements Node {
        @Override
        public String fts5() {
            return parts.stream().map(Node::fts5).collect(Collectors.joining(" OR ", "(", ")"));
        }

        @Override
        public String postgres(List<Object> params) {
            return parts.stream().map(p -> p.postgres(params)).collect(Collectors.joining(" || ", "(", ")"));
        }

        @Override
        public void shown(List<Term> out) {
            parts.forEach(p -> p.shown(out));
        }
    }

    /** {@code match} matches and {@code except} does not. */
    public record Without(Node match, Node except) implements Node {
        @Override
        public String fts5() {
            return "(" + match.fts5() + " NOT " + except.fts5() + ")";
        }

        @Override
        public String postgres(List<Object> params) {
            return "(" + match.postgres(params) + " && !!" + except.postgres(params) + ")";
        }

        @Override
        public void shown(List<Term> out) {
            match.shown(out);
        }
    }

    /** Two words or phrases with at most {@code distance} words between them, in either order. */
    public record Near(Node left, Node right, int distance) implements Node {
        /** FTS5's NEAR counts the words between the two phrases, in either order, as ours does. */
        @Override
        public String fts5() {
            return "NEAR(" + left.fts5() + " " + right.fts5() + ", " + distance + ")";
        }

        /** PostgreSQL's phrase operator takes an exact distance (1 = adjacent): every one from 1 to n + 1, both ways. */
        @Override
        public String postgres(List<Object> params) {
            List<String> ways = new ArrayList<>();
            for (int d = 1; d <= distance + 1; d++) {
                ways.add("tsquery_phrase(" + left.postgres(params) + ", " + right.postgres(params) + ", " + d + ")");
                ways.add("tsquery_phrase(" + right.postgres(params) + ", " + left.postgres(params) + ", " + d + ")");
            }
            return "(" + String.join(" || ", ways) + ")";
        }

        @Override
        public void shown(List<Term> out) {
            left.shown(out);
            right.shown(out);
        }
    }

    /** A query that cannot be run, with a message for the person who typed it. */
    public static final class BadQuery extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        BadQuery(String message) {
            super(message);
        }
    }

    private final List<Token> tokens;
    private int at;
    private int terms;

    private SearchQuery(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** Parses {@code text}; a query with no word in it is refused. */
    public static Node parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new BadQuery("the query is longer than " + MAX_LENGTH + " characters");
        }
        SearchQuery p = new SearchQuery(tokenize(text));
        if (p.tokens.isEmpty()) {
            throw new BadQuery("the query has no word to search for");
        }
        Node n = p.any(0);
        if (p.at < p.tokens.size()) {
            throw new BadQuery("unexpected '" + p.tokens.get(p.at).text() + "' at character " + (p.tokens.get(p.at).pos() + 1)
                    + (p.tokens.get(p.at).kind() == Kind.CLOSE ? ": no '(' opened it" : ""));
        }
        return n;
    }

    private enum Kind { WORD, PHRASE, OR, AND, NOT, NEAR, OPEN, CLOSE }

    private record Token(Kind kind, String text, int pos, int distance) {
    }

    private Node any(int depth) {
        List<Node> parts = new ArrayList<>();
        parts.add(all(depth));
        while (peek(Kind.OR)) {
            Token or = tokens.get(at++);
            if (!startsOperand()) {
                throw new BadQuery("OR at character " + (or.pos() + 1) + " needs words on both sides");
            }
            parts.add(all(depth));
        }
        return parts.size() == 1 ? parts.get(0) : new Any(List.copyOf(parts));
    }

    private Node all(int depth) {
        List<Node> parts = new ArrayList<>();
        if (peek(Kind.NOT)) {
            throw new BadQuery("NOT at character " + (tokens.get(at).pos() + 1) + " needs words before it: "
                    + "write 'refund NOT policy'");
        }
        parts.add(without(depth));
        while (at < tokens.size() && (peek(Kind.AND) || startsOperand())) {
            if (peek(Kind.AND)) {
                Token and = tokens.get(at++);
                if (!startsOperand()) {
                    throw new BadQuery("AND at character " + (and.pos() + 1) + " needs words on both sides");
                }
            }
            parts.add(without(depth));
        }
        return parts.size() == 1 ? parts.get(0) : new All(List.copyOf(parts));
    }

    private Node without(int depth) {
        Node n = near(depth);
        while (peek(Kind.NOT)) {
            Token not = tokens.get(at++);
            if (!startsOperand()) {
                throw new BadQuery("NOT at character " + (not.pos() + 1) + " needs words after it");
            }
            n = new Without(n, near(depth));
        }
        return n;
    }

    private Node near(int depth) {
        Node left = primary(depth);
        if (!peek(Kind.NEAR)) {
            return left;
        }
        Token near = tokens.get(at++);
        if (!startsOperand() || peek(Kind.OPEN) || left instanceof All || left instanceof Any
                || left instanceof Without || left instanceof Near) {
            throw new BadQuery("NEAR at character " + (near.pos() + 1) + " joins two words or phrases: "
                    + "write 'timeout NEAR/3 retry'");
        }
        Node right = primary(depth);
        if (peek(Kind.NEAR)) {
            throw new BadQuery("NEAR at character " + (tokens.get(at).pos() + 1) + " joins only two words or phrases");
        }
        return new Near(left, right, near.distance());
    }

    private Node primary(int depth) {
        if (at >= tokens.size()) {
            throw new BadQuery("the query ends where a word was expected");
        }
        Token t = tokens.get(at++);
        return switch (t.kind()) {
            case WORD -> {
                count(1);
                boolean prefix = t.text().endsWith("*");
                yield new Term(prefix ? t.text().substring(0, t.text().length() - 1) : t.text(), prefix);
            }
            case PHRASE -> {
                List<String> words = words(t.text());
                if (words.isEmpty()) {
                    throw new BadQuery("the phrase at character " + (t.pos() + 1) + " has no word in it");
                }
                count(words.size());
                yield words.size() == 1 ? new Term(words.get(0), false) : new Phrase(List.copyOf(words));
            }
            case OPEN -> {
                if (depth >= MAX_DEPTH) {
                    throw new BadQuery("parentheses are nested more than " + MAX_DEPTH + " deep");
                }
                Node inner = any(depth + 1);
                if (!peek(Kind.CLOSE)) {
                    throw new BadQuery("the '(' at character " + (t.pos() + 1) + " is never closed");
                }
                at++;
                yield inner;
            }
            case OR, AND, NOT, NEAR, CLOSE -> throw new BadQuery("unexpected '" + t.text() + "' at character "
                    + (t.pos() + 1) + " where a word was expected");
        };
    }

    private void count(int n) {
        terms += n;
        if (terms > MAX_TERMS) {
            throw new BadQuery("the query has more than " + MAX_TERMS + " words");
        }
    }

    private boolean peek(Kind kind) {
        return at < tokens.size() && tokens.get(at).kind() == kind;
    }

    private boolean startsOperand() {
        return peek(Kind.WORD) || peek(Kind.PHRASE) || peek(Kind.OPEN);
    }

    /** The words of a phrase, as the engines' tokenizers would cut them: letters and digits. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c)) {
                w.appendCodePoint(Character.toLowerCase(c));
            } else if (!w.isEmpty()) {
                out.add(w.toString());
                w.setLength(0);
            }
        });
        if (!w.isEmpty()) {
            out.add(w.toString());
        }
        return out;
    }

    private static List<Token> tokenize(String text) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (c == '(' || c == ')') {
                out.add(new Token(c == '(' ? Kind.OPEN : Kind.CLOSE, Character.toString(c), i, 0));
                i++;
            } else if (c == '"') {
                int end = text.indexOf('"', i + 1);
                if (end < 0) {
                    throw new BadQuery("the quote at character " + (i + 1) + " is never closed");
                }
                out.add(new Token(Kind.PHRASE, text.substring(i + 1, end), i, 0));
                i = end + 1;
            } else if (Character.isLetterOrDigit(c)) {
                int start = i;
                while (i < text.length() && Character.isLetterOrDigit(text.codePointAt(i))) {
                    i += Character.charCount(text.codePointAt(i));
                }
                String word = text.substring(start, i);
                if (word.equals("NEAR") && i < text.length() && text.charAt(i) == '/') {
                    int digits = i + 1;
                    while (digits < text.length() && Character.isDigit(text.charAt(digits)) && digits - i <= 3) {
                        digits++;
                    }
                    int n = digits > i + 1 ? Integer.parseInt(text.substring(i + 1, digits)) : -1;
                    if (n < 1 || n > MAX_NEAR) {
                        throw new BadQuery("NEAR at character " + (start + 1) + " takes a distance from 1 to " + MAX_NEAR
                                + ", as in NEAR/5");
                    }
                    out.add(new Token(Kind.NEAR, text.substring(start, digits), start, n));
                    i = digits;
                    continue;
                }
                switch (word) {
                    case "OR" -> out.add(new Token(Kind.OR, word, start, 0));
                    case "AND" -> out.add(new Token(Kind.AND, word, start, 0));
                    case "NOT" -> out.add(new Token(Kind.NOT, word, start, 0));
                    case "NEAR" -> out.add(new Token(Kind.NEAR, word, start, 10)); // FTS5's default distance
                    default -> {
                        boolean prefix = i < text.length() && text.charAt(i) == '*';
                        out.add(new Token(Kind.WORD, word.toLowerCase(Locale.ROOT) + (prefix ? "*" : ""), start, 0));
                        i += prefix ? 1 : 0;
                    }
                }
            } else {
                i += Character.charCount(c); // punctuation and spaces separate words, as in the indexed text
            }
        }
        return out;
    }
}
