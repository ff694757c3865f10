package dev.tollgate.api;

import dev.tollgate.gateway.Reply;
import dev.tollgate.gateway.StreamSink;
import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Map;
import org.glassfish.jersey.server.ChunkedOutput;

/**
 * Writes a gateway {@link Reply} to a suspended JAX-RS response, in any dialect: whole bodies at
 * once, streams through Jersey's ChunkedOutput so each event is flushed as it comes and no
 * container thread waits for the next one.
 */
public final class ReplyWriter {
    private ReplyWriter() {
    }

    public static void write(Reply reply, AsyncResponse async) {
        if (reply instanceof Reply.Buffered b) {
            async.resume(headers(Response.status(b.status()).type(b.contentType()).entity(b.body()), b.headers()).build());
            return;
        }
        Reply.Stream s = (Reply.Stream) reply;
        ChunkedOutput<byte[]> out = new ChunkedOutput<>(byte[].class);
        Response response = headers(Response.status(s.status()).type("text/event-stream")
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no"), s.headers()).entity(out).build();
        async.resume(response);
        s.source().start(new StreamSink() {
            @Override
            public void send(byte[] bytes) throws IOException {
                if (out.isClosed()) {
                    throw new IOException("client stream closed");
                }
                out.write(bytes);
            }

            @Override
            public void close() {
                try {
                    out.close();
                } catch (IOException | RuntimeException e) {
                    // the client or the container is already gone; nothing is left to tell it
                }
            }
        });
    }

    private static Response.ResponseBuilder headers(Response.ResponseBuilder b, Map<String, String> headers) {
        headers.forEach(b::header);
        return b;
    }
}
