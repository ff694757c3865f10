package dev.tollgate.usage;

import dev.tollgate.access.Caller;
import dev.tollgate.access.KeyFingerprint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * A usage record as a compact binary frame for the journal: every field the database row has, so a
 * record read back after a crash is the record that would have been written. Binary rather than
 * JSON because it is made on the request's own thread, before the answer ends (a tenth of the cost).
 * The first byte is the format's version.
 */
final class RecordCodec {
    private static final int VERSION = 1;

    private RecordCodec() {
    }

    static byte[] encode(UsageRecord r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(320);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            text(out, r.id());
            out.writeLong(r.timestamp().toEpochMilli());
            text(out, r.endpoint());
            out.writeBoolean(r.stream());
            text(out, r.requestedModel());
            text(out, r.model());
            text(out, r.provider());
            text(out, r.credential());
            text(out, r.caller().key().hash());
            text(out, r.caller().key().masked());
            text(out, r.caller().keyId());
            text(out, r.caller().userId());
            out.writeInt(r.status());
            out.writeLong(r.latencyMs());
            out.writeLong(r.ttfbMs() == null ? -1 : r.ttfbMs());
            TokenUsage t = r.tokens();
            for (long n : new long[] {t.prompt(), t.completion(), t.total(), t.cached(), t.reasoning(), t.cacheWrite5m(),
                    t.cacheWrite1h()}) {
                out.writeLong(n);
            }
            out.writeByte(r.quality().ordinal());
            text(out, r.upstreamRequestId());
            text(out, r.error());
            out.writeInt(r.attempts());
            out.writeBoolean(r.admitted());
            Charge c = r.charge();
            out.writeBoolean(c != null);
            if (c != null) {
                for (long n : new long[] {c.costPicoUsd(), c.inputPerToken(), c.outputPerToken(), c.cachedInputPerToken(),
                        c.cacheWrite5mPerToken(), c.cacheWrite1hPerToken()}) {
                    out.writeLong(n);
                }
            }
            text(out, r.usageReported());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** The record in {@code bytes}; throws {@link IllegalArgumentException} when they hold none. */
    static UsageRecord decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown journal record version " + version);
            }
            String id = text(in);
            Instant ts = Instant.ofEpochMilli(in.readLong());
            String endpoint = text(in);
            boolean stream = in.readBoolean();
            String requested = text(in);
            String model = text(in);
            String provider = text(in);
            String credential = text(in);
            KeyFingerprint key = new KeyFingerprint(text(in), text(in));
            Caller caller = new Caller(key, text(in), text(in));
            int status = in.readInt();
            long latency = in.readLong();
            long ttfb = in.readLong();
            TokenUsage tokens = new TokenUsage(in.readLong(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readLong(), in.readLong());
            UsageQuality quality = UsageQuality.values()[in.readUnsignedByte()];
            String upstreamId = text(in);
            String error = text(in);
            int attempts = in.readInt();
            boolean admitted = in.readBoolean();
            Charge charge = in.readBoolean() ? new Charge(in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                    in.readLong(), in.readLong()) : null;
            String reported = text(in);
            if (id == null || in.available() != 0) {
                throw new IllegalArgumentException("not a whole usage record");
            }
            return new UsageRecord(id, ts, endpoint, stream, requested, model, provider, credential, caller, status,
                    latency, ttfb < 0 ? null : ttfb, tokens, quality, upstreamId, error, attempts, admitted, charge,
                    reported);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a usage record: " + e.getMessage(), e);
        }
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s); // every text of a record is bounded well below writeUTF's 64 KB
        }
    }

    private static String text(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
