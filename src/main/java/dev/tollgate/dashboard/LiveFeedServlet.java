package dev.tollgate.dashboard;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /_qs/metrics/ui/events}: the dashboard's live feed as {@code text/event-stream},
 * behind the same login and network allow-list as the pages (the servlet is mapped under
 * {@code /_qs/metrics/}). The thread returns at once; {@link LiveFeed} writes from its own.
 */
public final class LiveFeedServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient LiveFeed feed;

    public LiveFeedServlet(LiveFeed feed) {
        this.feed = feed;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // nginx in front: do not buffer the stream
        AsyncContext async = request.startAsync();
        feed.subscribe(async);
    }
}
