package dev.sluice.tier;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes sure sqlite-jdbc extracts its bundled native library to a usable folder: where java.io.tmpdir is missing or
 * noexec it silently falls back to an older system SQLite (DESIGN.md §9).
 */
final class NativeLibrary {
    private NativeLibrary() {
    }

    static void prepare() {
        if (System.getProperty("org.sqlite.tmpdir") != null) {
            return;
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
        if (Files.isDirectory(tmp) && Files.isWritable(tmp)) {
            return;
        }
        try {
            Path dir = Path.of(System.getProperty("user.home"), ".cache", "sluice", "native");
            Files.createDirectories(dir);
            System.setProperty("org.sqlite.tmpdir", dir.toString());
        } catch (java.io.IOException e) {
            // Leave the driver's default; Tier reports the engine version so a fallback is visible.
        }
    }
}
