package dev.sluice.console;

import dev.sluice.error.SluiceException;
import dev.sluice.tier.Format;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.MethodSnippet;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.TypeDeclSnippet;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;

/** How snippet results and errors read to people: numbers with separators, durations humanised, errors in one line. */
public final class Renderer {
    private static final Set<String> INTEGRAL = Set.of("int", "long", "short", "byte", "Integer", "Long", "Short", "Byte",
            "java.lang.Integer", "java.lang.Long", "java.lang.Short", "java.lang.Byte");

    private Renderer() {
    }

    /**
     * A value as JShell's local engine gave it (its {@code toString}, so {@code Rows} already print as tables and
     * {@code Checksum}s short), reformatted by static type where people read it better.
     */
    public static String value(String typeName, String value) {
        if (value == null) {
            return "null";
        }
        String type = typeName == null ? "" : typeName;
        if (INTEGRAL.contains(type)) {
            try {
                return Format.count(Long.parseLong(value));
            } catch (NumberFormatException e) {
                return value;
            }
        }
        if (type.equals("Duration") || type.equals("java.time.Duration")) {
            try {
                return Format.duration(Duration.parse(value));
            } catch (DateTimeParseException e) {
                return value;
            }
        }
        return value;
    }

    /** {@code Kind: message} in one line (a failed precondition report: one line per failure): the error code's kind for Sluice's own errors, the class name otherwise. */
    public static String error(Throwable t) {
        String kind;
        String message = t.getMessage();
        if (t instanceof SluiceException se) {
            kind = se.kind();
        } else if (t instanceof EvalException ee) {
            String cn = ee.getExceptionClassName();
            kind = cn == null ? "Exception" : cn.substring(cn.lastIndexOf('.') + 1);
        } else if (t instanceof UnresolvedReferenceException ure) {
            kind = "Unresolved";
            message = "'" + ure.getSnippet().source().strip() + "' uses something not defined yet. Define it first.";
        } else {
            kind = t.getClass().getSimpleName();
        }
        if (t instanceof SluiceException se && se.code() == dev.sluice.error.ErrorCode.PRECONDITION && message != null) {
            return kind + ": " + message.strip(); // the precondition report: a first line, then one line per failure
        }
        return message == null || message.isBlank() ? kind : kind + ": " + oneLine(message);
    }

    /** A compile error in one line, with its position in the snippet ({@code line:column}) and the text there. */
    public static String compileError(String source, List<Diag> diags) {
        Diag d = diags.stream().filter(Diag::isError).findFirst().orElse(diags.isEmpty() ? null : diags.get(0));
        if (d == null) {
            return "Compile error: the snippet was rejected.";
        }
        String msg = d.getMessage(Locale.ROOT).lines()
                .filter(l -> !l.strip().startsWith("location:"))
                .map(String::strip).reduce((a, b) -> a + " " + b).orElse("");
        long pos = d.getPosition();
        if (pos < 0 || pos > source.length()) {
            return "Compile error: " + msg;
        }
        int p = (int) pos;
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < p; i++) {
            if (source.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int col = p - lineStart + 1;
        int lineEnd = source.indexOf('\n', lineStart);
        String text = source.substring(lineStart, lineEnd < 0 ? source.length() : lineEnd).strip();
        if (text.length() > 60) {
            text = text.substring(0, 59) + "…";
        }
        return "Compile error at " + line + ":" + col + ": " + msg + " — in: " + text;
    }

    static String oneLine(String s) {
        return s.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** What a successful snippet shows: its value (temporary results) or {@code name = value}, nothing for statements. */
    static String describe(SnippetEvent ev) {
        Snippet s = ev.snippet();
        if (s instanceof VarSnippet v) {
            String value = Renderer.value(v.typeName(), ev.value());
            if (v.name().startsWith("$")) {
                return value;
            }
            return v.name() + " =" + (value.contains("\n") ? "\n" : " ") + value;
        }
        if (s instanceof ExpressionSnippet e) {
            if ("void".equals(e.typeName())) {
                return null;
            }
            return Renderer.value(e.typeName(), ev.value());
        }
        if (s instanceof MethodSnippet m) {
            return "defined method " + m.name() + "(" + m.parameterTypes() + ")";
        }
        if (s instanceof TypeDeclSnippet t) {
            return "defined " + t.subKind().name().toLowerCase(java.util.Locale.ROOT).replace("_subkind", "").replace('_', ' ')
                    + " " + t.name();
        }
        return null;
    }
}
