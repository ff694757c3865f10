package dev.tollgate.logs;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.TollgateConfig.Redaction;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * JSON as the log store keeps it: in one canonical spelling (keys sorted, no spaces) so the same
 * message always has the same hash, with the redaction rules applied to its text, and read for
 * the words a search can find.
 */
final class StoredJson {
    /** Fields whose strings are names, ids, kinds or binary data, not words anybody said. */
    private static final Set<String> NOT_TEXT = Set.of("type", "role", "id", "tool_call_id", "call_id", "tool_use_id",
            "model", "object", "finish_reason", "stop_reason", "finishReason", "status", "mime_type", "media_type",
            "mimeType", "signature", "thoughtSignature", "detail", "url", "data", "encrypted_content", "image_url",
            "file_id", "system_fingerprint", "responseId", "modelVersion");

    private StoredJson() {
    }

    static String canonical(JsonValue v) {
        StringBuilder b = new StringBuilder();
        write(v, b);
        return b.toString();
    }

    private static void write(JsonValue v, StringBuilder b) {
        if (v instanceof JsonObject o) {
            b.append('{');
            boolean first = true;
            String[] keys = o.keySet().toArray(new String[0]);
            Arrays.sort(keys);
            for (String key : keys) {
                b.append(first ? "" : ",");
                key(key, b);
                b.append(':');
                write(o.get(key), b);
                first = false;
            }
            b.append('}');
        } else if (v instanceof JsonArray a) {
            b.append('[');
            for (int i = 0; i < a.size(); i++) {
                b.append(i == 0 ? "" : ",");
                write(a.get(i), b);
            }
            b.append(']');
        } else {
            b.append(v);
        }
    }

    /** A key as JSON spells it: as is between quotes when nothing in it needs escaping, as it nearly never does. */
    private static void key(String key, StringBuilder b) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\' || c > 0x7E) {
                b.append(JSON.createValue(key));
                return;
            }
        }
        b.append('"').append(key).append('"');
    }

    /** Cloned for each hash: looking SHA-256 up among the security providers every time cost more than hashing a message. */
    private static final MessageDigest SHA_256;

    static {
        try {
            SHA_256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    static String hash(String canonical) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) SHA_256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
        }
        return HexFormat.of().formatHex(digest.digest(canonical.getBytes(StandardCharsets.UTF_8)));
    }

    /** The words of a message: every string in it but names, ids, kinds and binary data. */
    static String text(JsonValue v) {
        StringBuilder b = new StringBuilder();
        text(v, null, b);
        return b.toString();
    }

    private static void text(JsonValue v, String key, StringBuilder b) {
        if (v instanceof JsonObject o) {
            o.forEach((k, child) -> text(child, k, b));
        } else if (v instanceof JsonArray a) {
            a.forEach(child -> text(child, key, b));
        } else if (v instanceof JsonString s && (key == null || !NOT_TEXT.contains(key)) && !binary(s.getString())) {
            b.append(b.isEmpty() ? "" : "\n").append(s.getString());
        }
    }

    /** A long string without a single space is base64 or the like: nothing to search for. */
    private static boolean binary(String s) {
        return s.length() > 512 && s.indexOf(' ') < 0 && s.indexOf('\n') < 0;
    }

    /** Applies the redaction rules to every string (keys included); the flag says whether any matched. */
    static final class Redactor {
        private final List<Redaction> rules;
        private boolean changed;

        Redactor(List<Redaction> rules) {
            this.rules = rules;
        }

        boolean changed() {
            return changed;
        }

        JsonValue apply(JsonValue v) {
            if (rules.isEmpty()) {
                return v;
            }
            if (v instanceof JsonObject o) {
                JsonObjectBuilder b = JSON.createObjectBuilder();
                o.forEach((k, child) -> b.add(apply(k), apply(child)));
                return b.build();
            }
            if (v instanceof JsonArray a) {
                JsonArrayBuilder b = JSON.createArrayBuilder();
                a.forEach(child -> b.add(apply(child)));
                return b.build();
            }
            if (v instanceof JsonString s) {
                String r = apply(s.getString());
                return r.equals(s.getString()) ? s : JSON.createValue(r);
            }
            return v;
        }

        String apply(String text) {
            String out = text;
            for (Redaction rule : rules) {
                try {
                    Matcher m = rule.pattern().matcher(new MeteredText(out));
                    if (m.find()) {
                        changed = true;
                        out = m.replaceAll(Matcher.quoteReplacement(rule.replacement()));
                    }
                } catch (MeteredText.Exhausted e) {
                    // a rule that backtracks without end on this text: keep none of it rather than
                    // store what the rule was written to hide, and free the log writer
                    changed = true;
                    return WITHHELD;
                }
            }
            return out;
        }
    }

    /** What is stored in place of a text a redaction rule could not finish with. */
    static final String WITHHELD = "[withheld: a redaction rule took too long on this text]";

    /**
     * Text whose reads are counted: a regular expression reads a character per step, so a rule
     * that backtracks without end (an operator's {@code (a+)+$} on a caller's long run of
     * {@code a}) stops at a budget proportional to the text instead of holding the log writer.
     */
    static final class MeteredText implements CharSequence {
        /** Reads allowed per character, and for any text. */
        static final long PER_CHAR = 200;
        static final long BASE = 1_000_000;

        /** The budget ran out. */
        static final class Exhausted extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Exhausted() {
                super("a redaction rule read past its budget", null, false, false);
            }
        }

        private final CharSequence text;
        private final long[] left;

        MeteredText(CharSequence text) {
            this(text, new long[] {BASE + PER_CHAR * text.length()});
        }

        private MeteredText(CharSequence text, long[] left) {
            this.text = text;
            this.left = left;
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) {
                throw new Exhausted();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new MeteredText(text.subSequence(start, end), left); // the same budget
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
