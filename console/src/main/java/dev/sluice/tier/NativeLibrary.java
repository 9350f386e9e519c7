package dev.sluice.tier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Where sqlite-jdbc loads its bundled native library from.
 *
 * <p>Left alone, the driver extracts the library (1.1 MB) to a temporary file on every start and runs {@code uname -o}
 * to tell Android from Linux: about 100 ms of every command's start-up. Here the library is extracted once per driver
 * version, OS and architecture into a cache folder and loaded from there ({@code org.sqlite.lib.path}) on later starts.
 * If that fails in any way (read-only home, noexec mount, a damaged file) the driver's own extraction runs as before:
 * the cache only ever saves time. It also keeps the driver from falling back silently to an older system SQLite where
 * java.io.tmpdir is missing or noexec (DESIGN.md §9).
 */
final class NativeLibrary {
    private NativeLibrary() {
    }

    static void prepare() {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return; // the operator chose a library
        }
        Path base = cacheBase();
        if (base == null) {
            return;
        }
        try {
            String name = org.sqlite.util.LibraryLoaderUtil.getNativeLibName();
            Path dir = base.resolve(("sluice-sqlite-jdbc-" + org.sqlite.SQLiteJDBCLoader.getVersion() + "-"
                    + System.getProperty("os.name") + "-" + System.getProperty("os.arch"))
                    .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "_"));
            Path lib = dir.resolve(name);
            Path size = dir.resolve(name + ".bytes");
            if (!intact(lib, size)) {
                extract(dir, lib, size, name);
            }
            System.setProperty("org.sqlite.lib.path", dir.toString());
            System.setProperty("org.sqlite.lib.name", name);
        } catch (IOException | RuntimeException | LinkageError e) {
            // Leave the driver's own extraction; Tier reports the engine version so a fallback is visible.
        }
    }

    /** The library is there with the size recorded when it was extracted (a damaged file is extracted again). */
    private static boolean intact(Path lib, Path size) {
        try {
            return Files.isRegularFile(lib) && Files.readString(size).strip().equals(Long.toString(Files.size(lib)));
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** The driver's resource for this platform, copied whole to a temporary name and then renamed into place. */
    private static void extract(Path dir, Path lib, Path size, String name) throws IOException {
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no bundled library at " + resource);
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, name, ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                tmp.toFile().setExecutable(true, false);
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(size, Files.size(lib) + "\n");
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** org.sqlite.tmpdir when set (the launcher sets it to ~/.cache/sluice/native), else ~/.cache/sluice/native, else none. */
    private static Path cacheBase() {
        String tmp = System.getProperty("org.sqlite.tmpdir");
        if (tmp != null) {
            return Path.of(tmp);
        }
        String home = System.getProperty("user.home");
        if (home == null || home.isBlank() || !Files.isWritable(Path.of(home))) {
            return null;
        }
        return Path.of(home, ".cache", "sluice", "native");
    }
}
