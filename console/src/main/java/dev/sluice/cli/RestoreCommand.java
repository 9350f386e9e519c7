package dev.sluice.cli;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.history.RunLocks;
import dev.sluice.history.Who;
import dev.sluice.workspace.Workspace;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "restore", mixinStandardHelpOptions = true, description = {
        "Restore tiers from a snapshot: verifies its manifest first, snapshots the current state (before-restore-…), restores, checks integrity.",
        "A PostgreSQL tier is loaded with pg_restore --clean --if-exists --single-transaction, then each table's checksum is compared.",
        "A damaged tier file is kept byte for byte in the before-restore snapshot's damaged/ folder, then replaced whole.",
        "Example: sluice restore -w /tmp/demo pre-migration"})
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "NAME", description = "The snapshot to restore (see 'sluice snapshots').")
    String name;

    @Option(names = {"-t", "--tier"}, paramLabel = "TIER", description = "Only this tier (repeatable; default: every tier in the snapshot).")
    List<String> only;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // Before opening: a run paused inside a step may hold a tier's write lock, and the open would wait for it.
        Workspace ws = Workspace.load(workspace.dir());
        RunLocks.refuseIfFilesHeld(ws.dir(), ws.tiers().values().stream()
                .filter(t -> only == null || only.isEmpty() || only.contains(t.name())).toList(), Who.current());
        // Keeping damaged tiers: a damaged file is what a restore is for (its raw bytes are kept, then it is replaced whole).
        try (Session session = Session.openKeepingDamaged(workspace.dir())) {
            // On a terminal each phase (verifying, the safety snapshot's, copying back) draws a bar on stderr; in pipes nothing.
            session.useEvents(dev.sluice.console.TerminalEvents.phases(spec.commandLine().getErr()::println));
            spec.commandLine().getOut().println(Sluice.restoreKeepingLocks(session, name, only));
        }
        return 0;
    }
}
