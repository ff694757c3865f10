package dev.tollgate.route;

import dev.tollgate.config.ProviderCredential;

/** Where one attempt goes: a credential, and the model name that credential's upstream knows. */
public record Route(ProviderCredential credential, String upstreamModel) {
}
