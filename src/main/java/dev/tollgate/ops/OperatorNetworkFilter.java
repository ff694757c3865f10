package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import dev.tollgate.config.Cidr;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Localhost-first: operator endpoints answer only to callers from {@code ops.allowed-networks},
 * everyone else gets a 403 that says why. The container's login runs first, so an outsider
 * without credentials still sees 401.
 */
public final class OperatorNetworkFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private final transient List<Cidr> allowed;

    public OperatorNetworkFilter(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    public boolean allows(String remoteAddress) {
        try {
            // a literal address from the container, so no DNS lookup happens here
            InetAddress address = InetAddress.getByName(remoteAddress);
            return allowed.stream().anyMatch(c -> c.contains(address));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (allows(request.getRemoteAddr())) {
            chain.doFilter(request, response);
            return;
        }
        String message = "Operator endpoints answer only from ops.allowed-networks " + allowed
                + "; this request came from " + request.getRemoteAddr() + ".";
        byte[] body = JSON.createObjectBuilder().add("error", JSON.createObjectBuilder().add("message", message)
                .add("type", "forbidden")).build().toString().getBytes(StandardCharsets.UTF_8);
        response.setStatus(HttpServletResponse.SC_FORBIDDEN);
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
