package dev.tollgate.gateway;

import jakarta.json.JsonObject;
import java.util.Optional;

/**
 * A validated client request, dialect-free: what the API layer parsed and the gateway needs.
 *
 * @param rawBody the exact bytes the client sent (passed on untouched when nothing must change)
 */
public record ProxyCall(Operation operation, Optional<String> clientKey, String model, boolean stream,
                        JsonObject body, byte[] rawBody) {
}
