package dev.tollgate.logs;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** Stored bodies are deflated: JSON conversations shrink to a fraction of their size. */
final class Deflated {
    /** Nothing stored inflates beyond this, whatever the database holds. */
    static final int MAX_INFLATED = 128 * 1024 * 1024;

    private Deflated() {
    }

    /**
     * Deflates one body after another with one zlib state: making one costs more than deflating a
     * short message, and a batch deflates hundreds.
     */
    static final class Deflating implements AutoCloseable {
        private final Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        private final byte[] buf = new byte[8192];

        byte[] deflate(byte[] raw) {
            d.reset();
            d.setInput(raw);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, raw.length / 3));
            while (!d.finished()) {
                out.write(buf, 0, d.deflate(buf));
            }
            return out.toByteArray();
        }

        @Override
        public void close() {
            d.end();
        }
    }

    static byte[] inflate(byte[] stored) {
        Inflater i = new Inflater(true);
        try {
            i.setInput(stored);
            ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 4);
            byte[] buf = new byte[8192];
            while (!i.finished()) {
                int n = i.inflate(buf);
                if (n == 0 && (i.needsInput() || i.needsDictionary())) {
                    break; // the stored bytes end early: what they hold is all there is
                }
                out.write(buf, 0, n);
                if (out.size() > MAX_INFLATED) {
                    throw new IllegalStateException("a stored log body inflates beyond " + MAX_INFLATED + " bytes");
                }
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new IllegalStateException("a stored log body is corrupt: " + e.getMessage(), e);
        } finally {
            i.end();
        }
    }
}
