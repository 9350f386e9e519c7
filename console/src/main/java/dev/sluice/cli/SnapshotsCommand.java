package dev.sluice.cli;

import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "snapshots", mixinStandardHelpOptions = true, description = {
        "List the workspace's snapshots, oldest first; --prune N keeps only the newest N.",
        "Example: sluice snapshots -w /tmp/demo --prune 30 --prefix abathur_"})
final class SnapshotsCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Option(names = "--prune", paramLabel = "KEEP", description = "Delete all but the newest KEEP snapshots (retention).")
    Integer prune;

    @Option(names = "--prefix", paramLabel = "PREFIX", description = "With --prune: only snapshots whose name starts with PREFIX count and go (e.g. abathur_).")
    String prefix;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        // Listing and pruning read only the snapshot folder: a damaged tier must not hide the snapshots that can restore it.
        try (TierSet tiers = TierSet.open(Workspace.load(workspace.dir()), true)) {
            Snapshots snaps = new Snapshots(tiers, Version.get());
            if (prune != null) {
                List<String> gone = snaps.prune(prune, prefix);
                out.println(gone.isEmpty() ? "Nothing to prune." : "Pruned " + gone.size() + ": " + String.join(", ", gone));
            }
            List<Snapshot> all = snaps.list();
            if (all.isEmpty()) {
                out.println("No snapshots in " + snaps.dir() + ". Take one with 'sluice snapshot NAME'.");
            }
            all.forEach(out::println);
        }
        return 0;
    }
}
