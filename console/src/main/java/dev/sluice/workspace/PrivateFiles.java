package dev.sluice.workspace;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files that may hold what an operator typed or saw (journals, reports, history): created readable by their owner only,
 * 0600 files in 0700 folders, whatever the umask, as snapshots already are. On a file system without POSIX permissions
 * they are created as the platform creates files.
 */
public final class PrivateFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private PrivateFiles() {
    }

    /** Creates {@code dir} and any missing parents 0700; an existing folder is left as its owner set it. */
    public static Path createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir) || !POSIX) {
            return Files.createDirectories(dir);
        }
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            createDirectories(parent);
        }
        try {
            // Created 0700 (the umask can only take bits away), then set so: never readable by others, not even for a moment.
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            return dir; // made meanwhile by another process
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** Creates {@code file}, which must not exist, 0600. */
    public static Path createFile(Path file) throws IOException {
        if (POSIX) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
        restrict(file);
        return file;
    }

    /** Writes {@code text} to {@code file}, replacing it, in a file that is 0600 before the first byte is written. */
    public static void write(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        createFile(file);
        Files.writeString(file, text);
    }

    /** Makes an existing file 0600 (a report rewritten in place keeps no wider mode). */
    public static void restrict(Path file) throws IOException {
        if (POSIX) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }
}
