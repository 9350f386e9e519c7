package dev.sluice.console;

import dev.sluice.dsl.Session;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** Runs a script through the console's front door (no terminal) and keeps what it printed and its exit status. */
record Transcript(int status, String out, String err) {
    static Transcript run(Path workspace, String script) {
        return run(workspace, script, dev.sluice.console.commands.StandardCommands.options());
    }

    static Transcript run(Path workspace, String script, Console.Options options) {
        try (Session session = Session.open(workspace)) {
            return run(session, script, options);
        }
    }

    static Transcript run(Session session, String script, Console.Options options) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
             Console console = Console.onStreams(session, new StringReader(script), o, e, options)) {
            status = console.run();
        }
        return new Transcript(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    List<String> errLines() {
        return err.lines().toList();
    }
}
