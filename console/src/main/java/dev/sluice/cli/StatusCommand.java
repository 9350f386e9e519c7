package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.TierConfig;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(name = "status", mixinStandardHelpOptions = true, description = {
        "Show each tier of a workspace: engine, location, size and row counts per table.",
        "A tier that cannot be opened (a missing file, a server down) is shown as UNREACHABLE (DAMAGED for a damaged file)",
        "with the reason, and the others are still shown; the exit status is then that of the first (4 for a tier unavailable).",
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
        // Each tier on its own: one that cannot be opened must not hide the others (a status is asked when something is wrong).
        List<String> unreachable = new ArrayList<>();
        SluiceException first = null;
        for (TierConfig c : ws.tiers().values()) {
            if (c.optional() && c.sqliteFile() != null && !java.nio.file.Files.exists(c.sqliteFile())) {
                out.println();
                out.println(c.name() + "  " + c.engine().label() + "  " + c.location() + "  absent (an optional tier)");
                continue;
            }
            StringWriter block = new StringWriter();
            try (Tier t = Tier.open(c, c.create())) {
                print(new PrintWriter(block), t);
            } catch (RuntimeException e) {
                SluiceException se = e instanceof SluiceException s ? s
                        : new SluiceException(ErrorCode.TIER_UNAVAILABLE, e.getClass().getSimpleName() + ": " + e.getMessage(), e);
                first = first == null ? se : first;
                unreachable.add(c.name() + ": " + se.getMessage().replaceFirst("\\.+$", ""));
                out.println();
                out.println(c.name() + "  " + c.engine().label() + "  " + c.location() + "  "
                        + (se.code() == ErrorCode.INTEGRITY ? "DAMAGED" : "UNREACHABLE"));
                out.println("  " + se.getMessage());
                continue;
            }
            out.print(block);
        }
        out.flush();
        if (unreachable.size() == 1) {
            throw first; // its own line, as any command gives it
        }
        if (first != null) {
            throw new SluiceException(first.code(), unreachable.size() + " of " + ws.tiers().size() + " tiers cannot be opened "
                    + "(the others are shown above): " + String.join("; ", unreachable) + ".", first);
        }
        return 0;
    }

    /** Each tier of an open set (the demo shows its tiers this way). */
    static void print(PrintWriter out, TierSet tiers) {
        for (Tier t : tiers) {
            print(out, t);
        }
        out.flush();
    }

    private static void print(PrintWriter out, Tier t) {
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
        out.flush();
    }
}
