package dev.tollgate.metrics;

/**
 * The OpenTelemetry GenAI semantic conventions (v1.41) as the gateway's calls fill them in: the
 * operation, the provider and the error type of a call, each from a fixed list, so that Prometheus
 * series and OpenTelemetry attributes carry the names other GenAI services use and never a value a
 * caller made up.
 */
public final class GenAi {
    /** The bucket boundaries the conventions ask for, in tokens. */
    public static final long[] TOKEN_BUCKETS = {1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304,
        16777216, 67108864};
    /** {@code gen_ai.client.operation.duration}'s boundaries, in microseconds (0.01 s … 81.92 s). */
    public static final long[] DURATION_BUCKETS_MICROS = {10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 640_000,
        1_280_000, 2_560_000, 5_120_000, 10_240_000, 20_480_000, 40_960_000, 81_920_000};
    /** {@code gen_ai.server.time_to_first_token}'s boundaries, in microseconds (1 ms … 10 s). */
    public static final long[] FIRST_TOKEN_BUCKETS_MICROS = {1_000, 5_000, 10_000, 20_000, 40_000, 60_000, 80_000,
        100_000, 250_000, 500_000, 750_000, 1_000_000, 2_500_000, 5_000_000, 7_500_000, 10_000_000};

    private GenAi() {
    }

    /** {@code gen_ai.operation.name} from the client's path: the conventions' well-known values. */
    public static String operation(String endpoint) {
        String e = endpoint == null ? "" : endpoint;
        if (e.endsWith("/embeddings") || e.endsWith(":embedContent") || e.endsWith(":batchEmbedContents")) {
            return "embeddings";
        }
        if (e.endsWith(":generateContent") || e.endsWith(":streamGenerateContent")) {
            return "generate_content";
        }
        if (e.endsWith("/completions") && !e.endsWith("/chat/completions")) {
            return "text_completion";
        }
        return "chat"; // chat completions, Responses and Anthropic messages: the conventions call all three chat
    }

    /**
     * {@code gen_ai.provider.name}: the conventions' name for the providers the gateway knows by their
     * own; an OpenAI-compatible or mock provider keeps the name the config gave it (a bounded set).
     */
    public static String provider(String provider) {
        if (provider == null) {
            return "_unrouted";
        }
        return switch (provider) {
            case "openai", "codex" -> "openai";
            case "claude" -> "anthropic";
            case "gemini" -> "gcp.gemini";
            case "azure" -> "azure.ai.openai";
            default -> provider;
        };
    }

    /** {@code error.type}, from the status the caller got: a fixed list; null for a success. */
    public static String errorType(int status) {
        if (status < 400) {
            return null;
        }
        return switch (status) {
            case 400, 422 -> "invalid_request";
            case 401 -> "authentication";
            case 403 -> "permission_denied";
            case 404 -> "not_found";
            case 408, 504 -> "timeout";
            case 413 -> "request_too_large";
            case 429 -> "rate_limited";
            case 499 -> "client_closed";
            case 502 -> "bad_gateway";
            case 503 -> "unavailable";
            default -> status < 500 ? "client_error" : "server_error";
        };
    }
}
