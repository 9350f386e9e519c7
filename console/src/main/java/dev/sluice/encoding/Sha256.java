package dev.sluice.encoding;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/** The one SHA-256 helper: of bytes, of text as written, of source text with its line endings normalised, of a file. */
public final class Sha256 {
    private Sha256() {
    }

    /** A fresh digest to stream into (table checksums, copies). */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    public static byte[] of(byte[] bytes) {
        return digest().digest(bytes);
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(of(bytes));
    }

    /** Of the UTF-8 bytes of {@code text}, exactly as given. */
    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256 of source text with line endings normalised to LF, so a checkout on Windows does not look like an edit. */
    public static String ofText(String text) {
        return hex(text.replace("\r\n", "\n").replace('\r', '\n'));
    }

    /** Of a file's bytes, read in 1 MiB chunks (memory stays flat whatever its size). */
    public static String ofFile(Path p) throws IOException {
        return ofFile(p, null);
    }

    /** As {@link #ofFile(Path)}, telling {@code read} (null: nobody) the bytes hashed so far after each chunk. */
    public static String ofFile(Path p, LongConsumer read) throws IOException {
        MessageDigest md = digest();
        byte[] buf = new byte[1 << 20];
        long total = 0;
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                if (read != null) {
                    read.accept(total += n);
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** The first 12 hex digits and an ellipsis, for messages. */
    public static String shortForm(String sha) {
        return sha == null ? "?" : sha.substring(0, Math.min(12, sha.length())) + "…";
    }
}
