package dev.tollgate.api;

import dev.tollgate.gateway.Failure;
import dev.tollgate.gateway.GatewayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads a request body up to a limit; a larger body is refused (413) without reading it all. */
public final class BodyReader {
    private BodyReader() {
    }

    public static byte[] read(InputStream in, long declaredLength, long limit) {
        if (declaredLength > limit) {
            throw tooLarge(limit);
        }
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(declaredLength > 0 ? (int) declaredLength : 1024);
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) != -1) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw unreadable();
        }
    }

    public static GatewayException unreadable() {
        return new GatewayException(Failure.INVALID_REQUEST, "The request body could not be read.");
    }

    private static GatewayException tooLarge(long limit) {
        return new GatewayException(Failure.PAYLOAD_TOO_LARGE,
                "The request body is larger than this gateway accepts (" + limit + " bytes).");
    }
}
