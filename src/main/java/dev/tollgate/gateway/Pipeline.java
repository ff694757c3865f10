package dev.tollgate.gateway;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.TollgateConfig.InputLimits;
import dev.tollgate.config.TollgateConfig.Timeouts;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.PayloadRules;
import dev.tollgate.translate.ReasoningMemory;
import dev.tollgate.upstream.Upstream;
import dev.tollgate.upstream.UpstreamResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What every call's run shares: the upstream clients, the credentials' cooldowns, the payload
 * rules, the time and size limits, the watchdog over open streams, and the memory of signed
 * reasoning before translated tool calls.
 */
record Pipeline(Function<ProviderCredential, Upstream> upstreams, Cooldowns cooldowns, PayloadRules payload,
                Timeouts timeouts, InputLimits input, StreamWatchdog watchdog, ReasoningMemory reasoning) {
    /** Tool calls whose reasoning is remembered, and the characters it may take (about 64 MB at most). */
    static final int REMEMBERED_CALLS = 20_000;
    static final long REMEMBERED_CHARS = 32L * 1024 * 1024;

    /** The whole body of a response, within the request timeout and {@code max-upstream-body-size}. */
    CompletableFuture<byte[]> whole(UpstreamResponse response) {
        CompletableFuture<byte[]> bytes = new CompletableFuture<>();
        BoundedBody collector = new BoundedBody(input.maxUpstreamBodyBytes());
        collector.getBody().whenComplete((b, t) -> {
            if (t != null) {
                bytes.completeExceptionally(t);
            } else {
                bytes.complete(b);
            }
        });
        response.body().subscribe(collector);
        return bytes.orTimeout(timeouts.request().toMillis(), TimeUnit.MILLISECONDS).exceptionally(t -> {
            throw GatewayException.of(t);
        });
    }
}
