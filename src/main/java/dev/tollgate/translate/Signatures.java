package dev.tollgate.translate;

import dev.tollgate.translate.Chat.Origin;
import dev.tollgate.translate.Chat.Reasoning;
import java.util.Locale;

/**
 * How a reasoning signature travels through a client of another format and comes back whole.
 * Each client format has a field that carries signatures of one provider as they are (its
 * {@code natural} origin: Anthropic's for Anthropic and OpenAI chat clients, the {@code thinking_blocks}
 * convention; OpenAI's for Responses clients; Gemini's for Gemini clients); a signature of any other
 * provider is handed out as {@code tollgate.<origin>.<signature>} and read back from that, so a
 * conversation that crosses formats still gives each provider its own state and no other's.
 */
final class Signatures {
    private static final String PREFIX = "tollgate.";
    private static final String REDACTED = "anthropic-redacted";

    private Signatures() {
    }

    /** The text a client of {@code natural}'s format carries for {@code r}'s signature ("" for none). */
    static String wrap(Reasoning r, Origin natural) {
        if (r.signature().isEmpty()) {
            return "";
        }
        if (r.origin() == natural && !(r.redacted() && natural != Origin.ANTHROPIC)) {
            return r.signature();
        }
        String origin = r.redacted() ? REDACTED : r.origin().name().toLowerCase(Locale.ROOT);
        return PREFIX + origin + "." + r.signature();
    }

    /**
     * The reasoning a client sent back: {@code signature} as {@link #wrap} handed it out, or a
     * provider's own signature that arrived in the client format's natural field.
     */
    static Reasoning read(String text, String signature, boolean redacted, Origin natural) {
        if (signature == null || signature.isEmpty()) {
            return new Reasoning(text, "", false, null);
        }
        if (signature.startsWith(PREFIX)) {
            String rest = signature.substring(PREFIX.length());
            int dot = rest.indexOf('.');
            String origin = dot < 0 ? "" : rest.substring(0, dot);
            String value = dot < 0 ? "" : rest.substring(dot + 1);
            for (Origin o : Origin.values()) {
                if (o.name().toLowerCase(Locale.ROOT).equals(origin)) {
                    return new Reasoning(text, value, false, o);
                }
            }
            if (origin.equals(REDACTED)) {
                return new Reasoning("", value, true, Origin.ANTHROPIC);
            }
            return new Reasoning(text, "", false, null); // not one of ours after all: no provider can read it
        }
        return new Reasoning(text, signature, redacted, natural);
    }
}
