package dev.sluice.history;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 of source text with line endings normalised to LF, so a checkout on Windows does not look like an edit. */
public final class Sha256 {
    private Sha256() {
    }

    public static String ofText(String text) {
        String normalised = text.replace("\r\n", "\n").replace('\r', '\n');
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(normalised.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String shortForm(String sha) {
        return sha == null ? "?" : sha.substring(0, Math.min(12, sha.length())) + "…";
    }
}
