package dev.sluice.playbook;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;

/**
 * Makes a real folder read-only for this process: mode 0555, and where the tests run as root (who ignores modes) the
 * immutable attribute through chattr. Skips the test when neither holds.
 */
final class ReadOnlyFolder {
    private ReadOnlyFolder() {
    }

    static void make(Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        Path probe = dir.resolve(".probe");
        try {
            Files.createFile(probe);
        } catch (java.io.IOException e) {
            return; // the mode is enough
        }
        Files.delete(probe);
        int rc;
        try {
            rc = new ProcessBuilder("chattr", "+i", dir.toString()).redirectErrorStream(true).start().waitFor();
        } catch (java.io.IOException e) {
            rc = -1;
        }
        if (rc != 0) {
            undo(dir);
            Assumptions.abort("cannot make " + dir + " read-only here (running as root without chattr)");
        }
    }

    static void undo(Path dir) throws Exception {
        try {
            new ProcessBuilder("chattr", "-i", dir.toString()).redirectErrorStream(true).start().waitFor();
        } catch (java.io.IOException e) {
            // no chattr: only the mode was changed
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
