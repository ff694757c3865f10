package dev.tollgate.app;

import dev.tollgate.config.ProviderCredential;
import dev.tollgate.config.ProviderCredential.MockSettings;
import dev.tollgate.config.TollgateConfig;
import dev.tollgate.upstream.HttpUpstream;
import dev.tollgate.upstream.Upstream;
import dev.tollgate.upstream.mock.MockUpstream;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

/** One upstream client per credential's wire format: a shared HTTP client, or an in-process mock. */
final class Upstreams implements Function<ProviderCredential, Upstream>, AutoCloseable {
    private final HttpUpstream http;
    private final Map<ProviderCredential, Upstream> mocks = new IdentityHashMap<>();

    Upstreams(TollgateConfig config, ScheduledExecutorService timer) {
        this.http = new HttpUpstream(config.timeouts().connect(), config.timeouts().request());
        for (ProviderCredential c : config.credentials()) {
            if (c.settings() instanceof MockSettings settings) {
                mocks.put(c, new MockUpstream(settings, timer));
            }
        }
    }

    @Override
    public Upstream apply(ProviderCredential credential) {
        return mocks.getOrDefault(credential, http);
    }

    @Override
    public void close() {
        http.close();
    }
}
