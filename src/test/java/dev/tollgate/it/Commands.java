package dev.tollgate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a program the tests need (initdb, pg_ctl, install-lib.sh) and fails loudly with its output. */
public final class Commands {
    private Commands() {
    }

    /** Runs {@code command}; whether it succeeded (a mount without the right to mount, say). */
    public static boolean tryRun(List<String> command) {
        try {
            run(command);
            return true;
        } catch (IllegalStateException | UncheckedIOException e) {
            return false;
        }
    }

    public static void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
