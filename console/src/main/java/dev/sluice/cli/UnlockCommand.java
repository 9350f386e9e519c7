package dev.sluice.cli;

import dev.sluice.dsl.Session;
import dev.sluice.history.RunLock;
import dev.sluice.history.RunLocks;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "unlock", mixinStandardHelpOptions = true, description = {
        "Break a tier's run lock deliberately (after a crash, when the holder is gone). Make sure no run is going on first.",
        "Example: sluice unlock tier1 tier2 -w /tmp/sluice-demo"})
final class UnlockCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(arity = "1..*", paramLabel = "TIER", description = "The tier(s) to unlock.")
    List<String> tiers;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session session = Session.open(workspace.dir())) {
            for (String n : tiers) {
                Optional<RunLock> was = RunLocks.unlock(session.tier(n));
                out.println(was.map(l -> "Unlocked " + n + " (held by " + l + ").").orElse(n + " was not locked; nothing to do."));
            }
        }
        return 0;
    }
}
