package dev.tollgate.ops;

import static dev.tollgate.json.Jsons.JSON;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Operator pages and APIs are behind the container's BASIC login, which a browser replays on every
 * request to the site, whoever made the page that sends it. So a request that changes something
 * must show that it comes from this site's own pages: it carries {@code Content-Type:
 * application/json} or {@code application/zip} (a plain form on another site cannot send that without the browser asking this
 * site first, and this site never says yes), and when the browser names where it comes from
 * ({@code Sec-Fetch-Site}, {@code Origin}), that is this site. Tools such as curl send neither
 * header and only need the content type. Every operator answer also tells browsers not to frame
 * it, sniff it or pass its address on.
 */
public final class CrossSiteGuard extends HttpFilter {
    private static final long serialVersionUID = 1L;
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (!SAFE.contains(request.getMethod())) {
            String refusal = refusal(request);
            if (refusal != null) {
                refuse(response, refusal.startsWith("Content-Type") ? 415 : 403, refusal);
                return;
            }
        }
        chain.doFilter(request, response);
    }

    /** Why a state-changing request is refused, or null when it may go on. */
    static String refusal(HttpServletRequest request) {
        String site = request.getHeader("Sec-Fetch-Site");
        if (site != null && !site.equalsIgnoreCase("same-origin") && !site.equalsIgnoreCase("none")) {
            return "Cross-site requests may not change anything here (Sec-Fetch-Site: " + site + ").";
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !sameOrigin(origin, request)) {
            return "Requests from another origin may not change anything here.";
        }
        if (!"DELETE".equals(request.getMethod()) && !preflighted(request.getContentType())) {
            return "Content-Type must be application/json (application/zip for a bundle) for " + request.getMethod()
                    + " requests here.";
        }
        return null;
    }

    /** A type no page of another site may send without asking first: JSON, or a bundle's ZIP. */
    private static boolean preflighted(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || type.equals("application/zip");
    }

    /** The Origin's host and port against the Host the request was sent to (what a proxy passes on). */
    private static boolean sameOrigin(String origin, HttpServletRequest request) {
        String host = request.getHeader("Host");
        if (host == null || origin.equals("null")) {
            return false;
        }
        try {
            URI o = URI.create(origin);
            if (o.getHost() == null) {
                return false;
            }
            int port = o.getPort() != -1 ? o.getPort() : "https".equalsIgnoreCase(o.getScheme()) ? 443 : 80;
            URI h = URI.create("//" + host);
            int hostPort = h.getPort() != -1 ? h.getPort() : "https".equalsIgnoreCase(o.getScheme()) ? 443 : 80;
            return o.getHost().equalsIgnoreCase(h.getHost()) && port == hostPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static void refuse(HttpServletResponse response, int status, String message) throws IOException {
        byte[] body = JSON.createObjectBuilder().add("error", JSON.createObjectBuilder().add("message", message)
                .add("type", status == 415 ? "unsupported_media_type" : "forbidden")).build().toString()
                .getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setHeader("Connection", "close");
        response.setContentType("application/json");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
