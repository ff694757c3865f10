package dev.tollgate.gateway;

import dev.tollgate.config.ProviderCredential.Wire;

/**
 * The model calls the gateway proxies: the format each belongs to, and the path it posts to on
 * an upstream of that format (below the credential's base URL).
 */
public enum Operation {
    CHAT_COMPLETIONS(Wire.OPENAI, "/chat/completions", true, true),
    COMPLETIONS(Wire.OPENAI, "/completions", true, false),
    EMBEDDINGS(Wire.OPENAI, "/embeddings", false, false),
    RESPONSES(Wire.OPENAI_RESPONSES, "/responses", true, true),
    MESSAGES(Wire.ANTHROPIC, "/v1/messages", true, true),
    /** Gemini's generateContent and streamGenerateContent: the model and the streaming are in the URL. */
    GENERATE_CONTENT(Wire.GEMINI, "/v1beta/models", true, true),
    /** Gemini's embedContent: the model is in the URL; only Gemini credentials serve it. */
    EMBED_CONTENT(Wire.GEMINI, "/v1beta/models", false, false),
    /** Gemini's batchEmbedContents, which the google-genai SDKs call for embeddings. */
    BATCH_EMBED_CONTENTS(Wire.GEMINI, "/v1beta/models", false, false);

    private final Wire format;
    private final String path;
    private final boolean streams;
    private final boolean chat;

    Operation(Wire format, String path, boolean streams, boolean chat) {
        this.format = format;
        this.path = path;
        this.streams = streams;
        this.chat = chat;
    }

    /** The format the client speaks. */
    public Wire format() {
        return format;
    }

    /** Chat calls can be translated to any other chat format; the others go only to their own. */
    public boolean chat() {
        return chat;
    }

    public String path() {
        return path;
    }

    /** Whether the operation can answer as a stream at all. */
    public boolean streams() {
        return streams;
    }
}
