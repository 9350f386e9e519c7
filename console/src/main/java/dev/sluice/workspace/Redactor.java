package dev.sluice.workspace;

import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Removes secrets from text that is about to be shown or written down (URLs, {@code password=} arguments, known values). */
public final class Redactor {
    /** What a secret is replaced with; replay refuses an input that contains it. */
    public static final String MASK = "****";

    private static final Pattern URL_USERINFO = Pattern.compile("(?i)(//[^/:@\\s]+:)([^@/\\s]+)(@)");
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[_-]?key)\\s*[=:]\\s*[\"']?)([^&;\\s\"',)]+)");

    private Redactor() {
    }

    public static String redact(String text) {
        return redact(text, java.util.List.of());
    }

    /** Redacts URL credentials, {@code key=value} secrets and every known secret value found verbatim. */
    public static String redact(String text, Collection<Secret> known) {
        if (text == null) {
            return null;
        }
        String out = URL_USERINFO.matcher(text).replaceAll("$1****$3");
        out = KEY_VALUE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "****");
        for (Secret s : known) {
            if (s != null && s.reveal().length() >= 3) {
                out = out.replace(s.reveal(), "****");
            }
        }
        return out;
    }
}
