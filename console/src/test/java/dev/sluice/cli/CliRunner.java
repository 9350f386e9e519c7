package dev.sluice.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the CLI through its front door (Main.run) and keeps exit status, stdout and stderr. */
public record CliRunner(int status, String out, String err) {
    public static CliRunner run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(status, out.toString(), err.toString());
    }

    /** The row of {@code sluice run --list}'s table for step {@code index}, or "" when there is none. */
    public String listed(int index) {
        return out.lines().filter(l -> l.matches("\\s+" + index + "  .*")).findFirst().orElse("");
    }

    /** True when {@code sluice run --list} shows step {@code index}, named {@code step}, in {@code status}. */
    public boolean lists(int index, String status, String step) {
        return listed(index).matches("\\s+" + index + "\\s+" + status + "\\s+" + java.util.regex.Pattern.quote(step) + "(\\s.*)?");
    }

    /** Runs the CLI with {@code input} as the operator's answers (step mode, inspect). */
    public static CliRunner runWithInput(String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Main.run(args, new java.io.ByteArrayInputStream(input.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(status, out.toString(), err.toString());
    }
}
