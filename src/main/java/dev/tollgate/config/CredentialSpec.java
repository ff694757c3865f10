package dev.tollgate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * A credential described outside the file (the admin API, the dashboard's form) in the file's own
 * terms: the keys of a {@code openai-compatibility}, {@code claude-api-key} or {@code gemini-api-key}
 * entry, as one JSON object. JSON is YAML, so it is read by the very parser the file is, under
 * the same rules and with the same messages: one place decides what a credential may be.
 */
public final class CredentialSpec {
    private static final Pattern WHERE = Pattern.compile("tollgate config: '[^']*?\\[0\\]\\.?([^']*)' \\(line \\d+\\) ");

    private CredentialSpec() {
    }

    /** The config section a format's entries live in; {@code claude} is the Rust gateway's name for Anthropic. */
    public static String section(String format) {
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "openai" -> "openai-compatibility";
            case "anthropic", "claude" -> "claude-api-key";
            case "gemini" -> "gemini-api-key";
            default -> throw new IllegalArgumentException("format must be openai, anthropic or gemini, got '" + format + "'");
        };
    }

    /**
     * The credential {@code entryJson} describes, labelled {@code provider#id}. An OpenAI-compatible
     * entry names its provider ({@code name}); Anthropic and Gemini entries are those providers'.
     *
     * @throws IllegalArgumentException what is wrong, naming the field, as the file's parser says it
     */
    public static ProviderCredential credential(String format, String entryJson, String id) {
        String yaml = section(format) + ":\n  - " + entryJson + "\n";
        List<String> unknown = new ArrayList<>();
        TollgateConfig parsed;
        try {
            // values are taken as given: no ${VAR} expansion and no ENC(...) of an admin's text
            parsed = new ConfigParser(UnaryOperator.identity(), unknown::add).parse(yaml, Optional.empty(), Path.of("unused"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(plain(e.getMessage()));
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(plain(unknown.get(0)));
        }
        if (parsed.credentials().size() != 1) {
            throw new IllegalArgumentException("describe one credential with one api-key");
        }
        ProviderCredential c = parsed.credentials().get(0);
        return c.withLabel(c.provider() + "#" + id);
    }

    /** The parser's message without the file's position, which means nothing to a JSON body. */
    private static String plain(String message) {
        String m = WHERE.matcher(message).replaceFirst("'$1' ");
        return m.replace("tollgate config: ", "").replace("''", "the credential");
    }
}
