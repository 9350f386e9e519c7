package dev.sluice.cli;

import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, description = {
        "Show each tier of a workspace: engine, location, size and row counts per table.",
        "Example: sluice status -w /tmp/demo"})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Workspace ws = Workspace.load(workspace.dir());
        PrintWriter out = spec.commandLine().getOut();
        out.println("Workspace " + ws.dir());
        try (TierSet tiers = TierSet.open(ws)) {
            print(out, tiers);
        }
        return 0;
    }

    static void print(PrintWriter out, TierSet tiers) {
        for (Tier t : tiers) {
            Long size = null;
            try {
                size = t.file() == null ? null : java.nio.file.Files.size(t.file());
            } catch (java.io.IOException ignored) {
                // size unknown
            }
            out.println();
            out.println(t.name() + "  " + t.engine().label() + " " + t.engineVersion() + "  " + t.config().location()
                    + (size == null ? "" : "  " + Format.bytes(size)) + (t.readOnly() ? "  read-only" : ""));
            Map<String, Long> counts = t.counts();
            int w = counts.keySet().stream().mapToInt(String::length).max().orElse(0);
            counts.forEach((table, n) -> out.printf("  %-" + w + "s  %12s%n", table, Format.count(n)));
        }
        out.flush();
    }
}
