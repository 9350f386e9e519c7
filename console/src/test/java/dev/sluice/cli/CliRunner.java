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
}
