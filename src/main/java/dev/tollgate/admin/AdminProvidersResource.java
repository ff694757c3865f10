package dev.tollgate.admin;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.access.AccessException;
import dev.tollgate.config.LiveConfig;
import dev.tollgate.config.ProviderCredential;
import dev.tollgate.route.Cooldowns;
import dev.tollgate.route.CredentialStatus;
import dev.tollgate.route.StoredCredentials;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /admin/providers} (role tollgate-admin): every provider credential, from the file
 * ({@code source: file}, read-only here) and from the database ({@code source: database}, with an
 * {@code id}), each with its state on this instance: {@code ok}, {@code cooling} (until when, after
 * how many failures in a row, the last error) or {@code disabled}. {@code POST} adds a credential,
 * {@code PUT /{id}} changes one (fields left out keep their value, the key included), {@code DELETE /{id}}
 * removes one; a change routes on this instance at once and on every instance of a fleet within
 * seconds. Bodies use the config file's keys. Keys and header values are never shown.
 */
@Path("/admin/providers")
@Singleton
public final class AdminProvidersResource {
    /** The fields of a credential: the config file's keys of an entry, and the format that picks its section. */
    static final Set<String> FIELDS = Set.of("format", "name", "api-key", "base-url", "prefix", "models", "excluded-models",
            "headers", "weight", "disabled", "proxy-url", "wire-api", "prompt-cache");
    private static final Set<String> SECRET_FIELDS = Set.of("api-key", "headers");

    private final LiveConfig config;
    private final StoredCredentials stored;
    private final Cooldowns cooldowns;
    private final Clock clock;

    @Inject
    public AdminProvidersResource(LiveConfig config, StoredCredentials stored, Cooldowns cooldowns, Clock clock) {
        this.config = config;
        this.stored = stored;
        this.cooldowns = cooldowns;
        this.clock = clock;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list() {
        List<ProviderCredential> all = stored.after(config.get().credentials());
        Map<String, ProviderCredential> credentials = new HashMap<>();
        all.forEach(c -> credentials.put(c.label(), c));
        JsonArrayBuilder data = JSON.createArrayBuilder();
        for (CredentialStatus c : CredentialStatus.of(all, cooldowns, clock.instant())) {
            JsonObjectBuilder b = describe(credentials.get(c.label())).add("state", c.state());
            if (c.coolingUntil() != null) {
                b.add("cooling_until", c.coolingUntil().toString());
            }
            if (c.troubled()) {
                b.add("failures_in_a_row", c.failuresInARow()).add("last_error", c.lastError());
            }
            stored.byLabel(c.label()).ifPresentOrElse(s -> b.add("source", "database").add("id", s.id()).add("format", s.format()),
                    () -> b.add("source", "file"));
            data.add(b);
        }
        return AdminJson.ok(JSON.createObjectBuilder().add("instance_id", config.get().instanceId())
                .add("writable", stored.writable()).add("data", data).build());
    }

    /** What an operator may see of a credential: everything but the key and the header values. */
    public static JsonObjectBuilder describe(ProviderCredential c) {
        JsonArrayBuilder models = JSON.createArrayBuilder();
        c.models().forEach(m -> {
            JsonObjectBuilder entry = JSON.createObjectBuilder().add("id", m.id());
            m.alias().ifPresent(a -> entry.add("alias", a));
            models.add(entry);
        });
        JsonArrayBuilder excluded = JSON.createArrayBuilder();
        c.excludedModels().forEach(excluded::add);
        JsonArrayBuilder headers = JSON.createArrayBuilder();
        c.headers().keySet().forEach(headers::add);
        JsonArrayBuilder apis = JSON.createArrayBuilder();
        c.apis().stream().map(w -> w.name().toLowerCase(Locale.ROOT)).sorted().forEach(apis::add);
        JsonObjectBuilder b = JSON.createObjectBuilder().add("provider", c.provider()).add("label", c.label())
                .add("wire", c.wire().name().toLowerCase(Locale.ROOT)).add("apis", apis).add("base_url", c.baseUrl().toString())
                .add("models", models).add("excluded_models", excluded).add("header_names", headers)
                .add("weight", c.weight()).add("disabled", c.disabled());
        c.prefix().ifPresent(p -> b.add("prefix", p));
        // a proxy's address only: a user and password in its URL are secrets
        c.proxy().ifPresent(p -> b.add("proxy", p.getScheme() + "://" + p.getHost() + (p.getPort() < 0 ? "" : ":" + p.getPort())));
        return b;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response add(String body) {
        return AdminJson.respond(() -> {
            JsonObject o = AdminJson.body(body, FIELDS);
            String format = AdminJson.string(o, "format").orElseThrow(() -> AdminJson.invalid(
                    "'format' is required: openai (any OpenAI-compatible API), anthropic or gemini"));
            StoredCredentials.Stored s = guarded(() -> stored.add(format, spec(o).toString(), secrets(o, JsonValue.EMPTY_JSON_OBJECT)));
            return AdminJson.created(describe(s.credential()).add("id", s.id()).add("source", "database").build());
        });
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response change(@PathParam("id") String id, String body) {
        return AdminJson.respond(() -> {
            StoredCredentials.Stored s = stored.get(id).orElseThrow(() -> notStored(id));
            JsonObject o = AdminJson.body(body, FIELDS);
            JsonObjectBuilder spec = JSON.createObjectBuilder(AdminJson.object(s.spec()));
            spec(o).forEach(spec::add);
            String format = AdminJson.string(o, "format").orElse(s.format());
            String secrets = secrets(o, AdminJson.object(stored.secrets(id)));
            guarded(() -> stored.replace(id, format, spec.build().toString(), secrets));
            return AdminJson.ok(describe(stored.get(id).orElseThrow().credential()).add("id", id).add("source", "database").build());
        });
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id) {
        return AdminJson.respond(() -> {
            if (!stored.delete(id)) {
                throw notStored(id);
            }
            return Response.noContent().build();
        });
    }

    private AccessException notStored(String id) {
        boolean fromFile = config.get().credentials().stream().anyMatch(c -> c.label().equals(id));
        return fromFile ? new AccessException(AccessException.Kind.CONFLICT, "'" + id + "' comes from the config file: "
                + "change it there (the file is reloaded when it changes)")
                : new AccessException(AccessException.Kind.NOT_FOUND, "no stored credential '" + id + "'");
    }

    /** The entry without its secrets and without the format, which picks the section rather than being in it. */
    private static JsonObject spec(JsonObject o) {
        JsonObjectBuilder b = JSON.createObjectBuilder();
        o.forEach((k, v) -> {
            if (!SECRET_FIELDS.contains(k) && !k.equals("format")) {
                b.add(k, v);
            }
        });
        return b.build();
    }

    /** The body's secrets over the ones kept: an edit that sends no key keeps the old one. */
    private static String secrets(JsonObject o, JsonObject kept) {
        JsonObjectBuilder b = JSON.createObjectBuilder(kept);
        SECRET_FIELDS.forEach(k -> {
            if (o.containsKey(k)) {
                b.add(k, o.get(k));
            }
        });
        return b.build().toString();
    }

    /** The file's rules refuse a bad credential (400); no master password refuses storing any (409). */
    private static <T> T guarded(Supplier<T> change) {
        try {
            return change.get();
        } catch (IllegalArgumentException e) {
            throw AdminJson.invalid(e.getMessage());
        } catch (IllegalStateException e) {
            throw new AccessException(AccessException.Kind.CONFLICT, e.getMessage());
        }
    }
}
