package dev.sluice.cli;

import dev.sluice.console.TerminalEvents;
import dev.sluice.dsl.Session;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.Format;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "snapshot", mixinStandardHelpOptions = true, description = {
        "Take a consistent snapshot of the workspace's SQLite and PostgreSQL tiers, with a verified manifest.",
        "SQLite tiers are copied with the online backup API; a PostgreSQL tier is a pg_dump of its schema, with per-table",
        "checksums from the same transaction snapshot. Tiers it cannot snapshot (other engines) are named, with the reason.",
        "Example: sluice snapshot -w /tmp/demo pre-migration --tier tier1"})
final class SnapshotCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "NAME", description = "Snapshot name (letters, digits, . _ -).")
    String name;

    @Option(names = {"-t", "--tier"}, paramLabel = "TIER", description = "Only this tier (repeatable; default: every SQLite and PostgreSQL tier).")
    List<String> only;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Session session = Session.open(workspace.dir())) {
            // On a terminal each phase (copying, counting, integrity_check, hashing) draws a bar on stderr; in pipes nothing.
            session.useEvents(TerminalEvents.phases(spec.commandLine().getErr()::println));
            Snapshots snapshots = session.snapshots();
            Snapshot s = snapshots.take(name, only);
            PrintWriter out = spec.commandLine().getOut();
            out.println("Snapshot '" + s.name() + "' in " + s.dir());
            for (Snapshot.SnapshotFile f : s.files()) {
                long rows = f.counts().values().stream().mapToLong(Long::longValue).sum();
                out.printf("  %-12s %10s  %s rows  sha256:%s…  %s%n", f.tier(), Format.bytes(f.bytes()), Format.count(rows),
                        f.sha256().substring(0, 12), f.isPgDump() ? "pg_dump of schema " + f.schema() + ", " + f.checksums().size()
                                + " table checksums" : "integrity " + f.integrity());
            }
            for (Snapshots.Skipped k : snapshots.skipped(only)) {
                out.println("  skipped " + k); // never silently: a restore of this snapshot cannot bring these back
            }
        }
        return 0;
    }
}
