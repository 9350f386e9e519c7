package dev.sluice.tier;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Where sqlite-jdbc loads its bundled native library from.
 *
 * <p>Left alone, the driver extracts the library (1.1 MB) to a temporary file on every start and runs {@code uname -o}
 * to tell Android from Linux: about 100 ms of every command's start-up. Here the library is extracted once per driver
 * version, OS and architecture into a cache folder, checked against the CRC-32C recorded when it was extracted, loaded
 * here, and only then handed to the driver ({@code org.sqlite.lib.path}). Anything amiss (a damaged copy is extracted
 * again; a folder that is not the user's own, a read-only or noexec cache, a library that will not load) leaves the
 * driver's own extraction to run as before, quietly: the cache only ever saves time. It also keeps the driver from
 * falling back silently to an older system SQLite where java.io.tmpdir is missing or noexec (DESIGN.md §9).
 */
final class NativeLibrary {
    private NativeLibrary() {
    }

    static void prepare() {
        if (System.getProperty("org.sqlite.lib.path") != null) {
            return; // the operator chose a library
        }
        if (driverLoadedItsOwn()) {
            // A connection was opened before the first Tier (a test's fixture, a plain JDBC helper): the driver has its
            // own copy loaded. Loading the cached file too would put two SQLite libraries in one process, which share no
            // locks and crash (SIGSEGV in column_text seen under the test suite).
            return;
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
            Path sum = dir.resolve(name + ".crc32c");
            Files.createDirectories(dir);
            java.nio.file.attribute.UserPrincipal me = me(dir);
            if (me != null && !me.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS))) {
                return; // another user's folder: not ours to load from
            }
            if (!privateTo(dir)) {
                // Created under a umask that lets the group write (002), or changed since: close it, and do not trust
                // what is inside.
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                Files.deleteIfExists(lib);
            }
            if (!intact(lib, sum) || (me != null && !me.equals(Files.getOwner(lib, LinkOption.NOFOLLOW_LINKS))) || !privateTo(lib)) {
                extract(dir, lib, sum, name);
            }
            try {
                System.load(lib.toAbsolutePath().toString()); // the driver's own load of the same file is then a no-op
            } catch (UnsatisfiedLinkError e) {
                // A noexec cache: the driver's own copy must not go to the same place.
                if (base.toString().equals(System.getProperty("org.sqlite.tmpdir"))) {
                    System.clearProperty("org.sqlite.tmpdir");
                }
                return;
            }
            System.setProperty("org.sqlite.lib.path", dir.toString());
            System.setProperty("org.sqlite.lib.name", name);
        } catch (IOException | RuntimeException | LinkageError e) {
            // Leave the driver's own extraction; Tier reports the engine version so a fallback is visible.
        }
    }

    /** True when sqlite-jdbc has already loaded a native library in this JVM (or when that cannot be told: then the cache stays out). */
    private static boolean driverLoadedItsOwn() {
        try {
            java.lang.reflect.Field f = org.sqlite.SQLiteJDBCLoader.class.getDeclaredField("extracted");
            f.setAccessible(true);
            return f.getBoolean(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return true;
        }
    }

    /** The library is there with the content recorded when it was extracted (a damaged file is extracted again). */
    private static boolean intact(Path lib, Path sum) {
        try {
            return Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && Files.readString(sum).strip().equals(crc(lib));
        } catch (IOException e) {
            return false;
        }
    }

    private static String crc(Path file) throws IOException {
        CRC32C c = new CRC32C();
        c.update(Files.readAllBytes(file));
        return Long.toHexString(c.getValue()) + " " + Files.size(file);
    }

    /** The driver's resource for this platform, copied whole to a temporary name and then renamed into place. */
    private static void extract(Path dir, Path lib, Path sum, String name) throws IOException {
        String resource = org.sqlite.util.LibraryLoaderUtil.getNativeLibResourcePath() + "/" + name;
        try (InputStream in = org.sqlite.SQLiteJDBCLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("no bundled library at " + resource);
            }
            Path tmp = Files.createTempFile(dir, name, ".part");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                if (Files.getFileAttributeView(tmp, PosixFileAttributeView.class) != null) {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
                }
                Path tmpSum = Files.createTempFile(dir, name, ".crc.part");
                Files.writeString(tmpSum, crc(tmp) + "\n");
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmpSum, sum, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * This process's user as the file system names it, told by a file created in {@code dir} (user.name is "?" for a UID
     * without a passwd entry); null where the file system has no POSIX owners.
     */
    private static java.nio.file.attribute.UserPrincipal me(Path dir) throws IOException {
        if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) == null) {
            return null;
        }
        Path probe = Files.createTempFile(dir, ".owner", "");
        try {
            return Files.getOwner(probe);
        } finally {
            Files.deleteIfExists(probe);
        }
    }

    /** Writable by no one but its owner (true where the file system has no POSIX permissions). */
    private static boolean privateTo(Path p) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        if (view == null) {
            return true;
        }
        Set<PosixFilePermission> perms = view.readAttributes().permissions();
        return !perms.contains(PosixFilePermission.GROUP_WRITE) && !perms.contains(PosixFilePermission.OTHERS_WRITE);
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
