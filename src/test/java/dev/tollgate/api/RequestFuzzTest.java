package dev.tollgate.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.gateway.GatewayException;
import dev.tollgate.gateway.Operation;
import dev.tollgate.gateway.ProxyCall;
import java.util.Map;

/**
 * Every dialect's request check on any bytes: a call within the limits, or a GatewayException that
 * becomes the caller's 400; nothing else (no parser exception, no stack overflow, no huge model name
 * let through). Seeds in {@code RequestFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes (README, "Fuzzing").
 */
class RequestFuzzTest {
    private static final ProxyRequests REQUESTS = new ProxyRequests(InputLimits.defaults());
    private static final Operation[] OPERATIONS = Operation.values();

    @FuzzTest(maxDuration = "30s")
    void anyBodyIsACallOrARefusal(FuzzedDataProvider data) {
        Operation op = data.pickValue(OPERATIONS);
        String pathModel = data.consumeBoolean() ? data.consumeString(300) : null;
        byte[] body = data.consumeRemainingAsBytes();
        try {
            ProxyCall call = pathModel == null
                    ? REQUESTS.parse(op, Caller.of(KeyFingerprint.ANONYMOUS), body, Map.of(), false)
                    : REQUESTS.parse(op, Caller.of(KeyFingerprint.ANONYMOUS), body, Map.of(), false, pathModel, false);
            assertTrue(call.model().length() <= InputLimits.defaults().maxModelName());
            assertTrue(call.model().chars().allMatch(c -> c > ' ' && c <= '~'), call.model());
            call.promptTokens().getAsLong(); // the estimate of whatever passed must not fail either
        } catch (GatewayException e) {
            assertTrue(e.failure().status() == 400, e.failure() + ": " + e.getMessage());
        }
    }
}
