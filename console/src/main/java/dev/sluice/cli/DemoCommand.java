package dev.sluice.cli;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true, description = {
        "Create the demo workspace (three SQLite tiers shaped like CORTEX 1.0) if it is not there yet, and open the console on it.",
        "Without a terminal (and without -f/-e) it shows the tiers instead, so scripts can use it.",
        "Example: sluice demo /tmp/sluice-demo"})
final class DemoCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "Where to create it (default: sluice-demo).")
    Path dir = Path.of("sluice-demo");

    @Mixin
    ConsoleOptions console;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Workspace ws = DemoWorkspace.create(dir);
        PrintWriter out = spec.commandLine().getOut();
        if (console.scripted() || ConsoleOptions.interactive()) {
            dev.sluice.console.Console.warmUp();
            try (Session session = Session.open(ws.dir())) {
                return console.open(session, out, spec.commandLine().getErr());
            }
        }
        out.println("Demo workspace " + ws.dir());
        try (TierSet tiers = TierSet.open(ws)) {
            StatusCommand.print(out, tiers);
        }
        out.println();
        out.println("Open the console on it: sluice console -w " + dir);
        return 0;
    }
}
