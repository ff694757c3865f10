package dev.tollgate.app;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.MockSettings;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.upstream.HttpUpstream;
import dev.tollgate.upstream.Upstream;
import dev.tollgate.upstream.mock.MockUpstream;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/**
 * The upstream client for each credential: the shared HTTP client, one more per HTTP proxy in use,
 * or an in-process mock. Clients are made on first use and kept for the life of the deployment, so
 * credentials added or changed by a reload find theirs, and a call still running on a credential a
 * reload removed keeps its client.
 */
final class Upstreams implements Function<ProviderCredential, Upstream>, AutoCloseable {
    private final TollgateConfig.Timeouts timeouts;
    private final ScheduledExecutorService timer;
    private final HttpUpstream direct;
    private final Map<URI, HttpUpstream> proxied = new ConcurrentHashMap<>();
    private final Map<MockSettings, Upstream> mocks = new ConcurrentHashMap<>();

    Upstreams(TollgateConfig config, ScheduledExecutorService timer) {
        this.timeouts = config.timeouts();
        this.timer = timer;
        this.direct = new HttpUpstream(timeouts.connect(), timeouts.request());
    }

    @Override
    public Upstream apply(ProviderCredential credential) {
        if (credential.settings() instanceof MockSettings settings) {
            return mocks.computeIfAbsent(settings, s -> new MockUpstream(s, timer));
        }
        Optional<URI> proxy = credential.proxy();
        return proxy.isEmpty() ? direct
                : proxied.computeIfAbsent(proxy.get(), p -> new HttpUpstream(timeouts.connect(), timeouts.request(), Optional.of(p)));
    }

    @Override
    public void close() {
        direct.close();
        proxied.values().forEach(HttpUpstream::close);
    }
}
