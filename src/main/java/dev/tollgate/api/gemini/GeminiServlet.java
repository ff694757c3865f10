package dev.tollgate.api.gemini;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.api.AsyncAnswer;
import dev.tollgate.api.BodyReader;
import dev.tollgate.api.CodecErrors;
import dev.tollgate.api.ProxyEndpoint;
import dev.tollgate.api.ProxyServlet;
import dev.tollgate.gateway.Gateway;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.Reply;
import dev.tollgate.logs.LogCapture;
import jakarta.json.JsonArrayBuilder;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The Gemini dialect, everything below {@code /v1beta}: {@code POST /v1beta/models/{model}:generateContent},
 * {@code :streamGenerateContent?alt=sse}, {@code :countTokens}, {@code :embedContent} and {@code GET /v1beta/models}.
 * The client key comes as {@code x-goog-api-key}, as the google-genai SDK sends it, or {@code ?key=}.
 */
public final class GeminiServlet extends ProxyServlet {
    private static final long serialVersionUID = 1L;
    public static final String MAPPING = "/v1beta/*";
    private static final String MODELS = "/v1beta/models";

    public GeminiServlet(Gateway gateway, BodyReader bodies, LogCapture logs) {
        super(new ProxyEndpoint(gateway, bodies, CodecErrors.GEMINI, logs));
    }

    @Override
    protected Reply.Buffered get(String path, HttpServletRequest request) {
        if (target(path) != null) {
            return null; // a model's methods answer POST only
        }
        if (!MODELS.equals(path)) {
            return unknown(request);
        }
        try {
            endpoint.gateway().authenticate(key(request));
        } catch (GatewayException e) {
            return endpoint.errors().reply(e);
        }
        JsonArrayBuilder models = JSON.createArrayBuilder();
        endpoint.gateway().models().forEach(m -> models.add(JSON.createObjectBuilder().add("name", "models/" + m.id())
                .add("displayName", m.id()).add("supportedGenerationMethods", JSON.createArrayBuilder()
                        .add("generateContent").add("streamGenerateContent").add("countTokens").add("embedContent"))));
        byte[] body = JSON.createObjectBuilder().add("models", models).build().toString().getBytes(StandardCharsets.UTF_8);
        return new Reply.Buffered(200, "application/json", Map.of(), body);
    }

    @Override
    protected void post(String path, HttpServletRequest request, AsyncAnswer answer) {
        String target = target(path);
        if (target == null) {
            answer.reply(MODELS.equals(path)
                    ? endpoint.errors().reply(405, "Method not allowed for " + request.getRequestURI())
                    : unknown(request));
            return;
        }
        int colon = target.lastIndexOf(':');
        String model = colon > 0 ? target.substring(0, colon) : target;
        String action = colon > 0 ? target.substring(colon + 1) : "";
        switch (action) {
            case "generateContent" -> endpoint.proxy(Operation.GENERATE_CONTENT, request, answer, key(request), Map.of(),
                    model, false);
            case "streamGenerateContent" -> {
                if (!"sse".equals(query(request, "alt"))) {
                    answer.reply(endpoint.errors().reply(400, "Only server-sent-event streams are served: add ?alt=sse."));
                    return;
                }
                endpoint.proxy(Operation.GENERATE_CONTENT, request, answer, key(request), Map.of(), model, true);
            }
            case "countTokens" -> endpoint.countTokens(Operation.GENERATE_CONTENT, request, answer, key(request),
                    Map.of(), model, n -> "{\"totalTokens\":" + n + "}");
            case "embedContent" -> endpoint.proxy(Operation.EMBED_CONTENT, request, answer, key(request), Map.of(),
                    model, false);
            case "batchEmbedContents" -> endpoint.proxy(Operation.BATCH_EMBED_CONTENTS, request, answer, key(request),
                    Map.of(), model, false);
            default -> answer.reply(endpoint.errors().reply(404, "Unknown method '" + action
                    + "': use generateContent, streamGenerateContent, countTokens, embedContent or batchEmbedContents."));
        }
    }

    /**
     * {@code {model}:{method}} of {@code /v1beta/models/{model}:{method}}; null for any other path.
     * The model may hold slashes ({@code models/deepseek/deepseek-chat:generateContent}): a
     * {@code prefix/name} is reachable as it is from the OpenAI and Anthropic endpoints (an encoded
     * {@code %2F} is refused by the containers themselves, so the literal slash is the way).
     */
    private static String target(String path) {
        if (!path.startsWith(MODELS + "/")) {
            return null;
        }
        String target = path.substring(MODELS.length() + 1);
        return target.isEmpty() ? null : target;
    }

    private Reply.Buffered unknown(HttpServletRequest request) {
        return endpoint.errors().reply(404, "Unknown request URL: " + request.getRequestURI());
    }

    private static Optional<String> key(HttpServletRequest request) {
        String header = request.getHeader("x-goog-api-key");
        if (header != null && !header.isBlank()) {
            return Optional.of(header.trim());
        }
        return Optional.ofNullable(query(request, "key")).filter(k -> !k.isBlank());
    }

    /**
     * A parameter of the URL's query only: {@code getParameter} would also read a form-encoded
     * body as parameters, consuming the body the call still needs.
     */
    private static String query(HttpServletRequest request, String name) {
        String query = request.getQueryString();
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String n = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (n.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }
}
