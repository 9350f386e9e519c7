package dev.sluice.workspace;

import java.util.Collection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes secrets from text that is about to be shown or written down: URL credentials, {@code password=} arguments,
 * known values, and the literal arguments of DSL calls that take a credential ({@link #CREDENTIAL_CALLS}).
 */
public final class Redactor {
    /** What a secret is replaced with; replay refuses an input that contains it. */
    public static final String MASK = "****";

    private static final Pattern URL_USERINFO = Pattern.compile("(?i)(//[^/:@\\s]+:)([^@/\\s]+)(@)");
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[_-]?key)\\s*[=:]\\s*[\"']?)([^&;\\s\"',)]+)");

    /** DSL calls whose every argument is a credential (user names included): their string literals are masked wherever typed. */
    public static final java.util.List<String> CREDENTIAL_CALLS = java.util.List.of("basicAuth");

    /** A credential call with its parenthesis, or in Groovy's command form ({@code http.basicAuth 'u', 'p'}). */
    private static final Pattern CREDENTIAL_CALL = Pattern.compile("\\b(?:" + String.join("|", CREDENTIAL_CALLS) + ")(?:\\s*(\\()|[ \\t]+(?=['\"]))");

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
        String out = maskCredentialCalls(text);
        out = URL_USERINFO.matcher(out).replaceAll("$1****$3");
        out = KEY_VALUE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "****");
        for (Secret s : known) {
            if (s != null && s.reveal().length() >= 3) {
                out = out.replace(s.reveal(), "****");
            }
        }
        return out;
    }

    /**
     * Masks every string literal among the arguments of a credential call, up to its closing parenthesis (quotes and
     * nested parentheses followed): {@code http.basicAuth('neo4j', "s3cret")} becomes {@code http.basicAuth('****', "****")}.
     * Variables stay as written: their names are not secrets, and their values never reach the text.
     */
    static String maskCredentialCalls(String text) {
        Matcher m = CREDENTIAL_CALL.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        do {
            int i = m.end();
            out.append(text, copied, i);
            boolean command = m.group(1) == null; // no parenthesis: the arguments run to the end of the line or statement
            int depth = 1;
            while (i < text.length() && depth > 0) {
                if (command && (text.charAt(i) == '\n' || text.charAt(i) == ';')) {
                    break;
                }
                char c = text.charAt(i);
                if (c == '\'' || c == '"') {
                    int end = i + 1;
                    while (end < text.length() && text.charAt(end) != c) {
                        end += text.charAt(end) == '\\' ? 2 : 1;
                    }
                    out.append(c).append(MASK);
                    if (end < text.length()) {
                        out.append(c);
                    }
                    i = end + 1;
                    continue;
                }
                if (c == '(') {
                    depth++;
                } else if (c == ')') {
                    depth--;
                }
                out.append(c);
                i++;
            }
            copied = Math.min(i, text.length());
        } while (m.find(copied));
        out.append(text, copied, text.length());
        return out.toString();
    }
}
