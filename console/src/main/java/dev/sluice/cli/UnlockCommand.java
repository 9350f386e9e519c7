package dev.sluice.cli;

import dev.sluice.history.RunLocks;
import dev.sluice.history.Who;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierConfig;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "unlock", mixinStandardHelpOptions = true, description = {
        "Break a tier's run lock held by a run on another host (a shared file system), and clear lock files or older",
        "versions' sluice_lock tables left by runs that are gone. Refuses while the holder is alive on this host.",
        "A run that dies on this host leaves no lock: the next run just starts.",
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
        // Not Session.open: opening a tier a live run is writing would wait, and unlock must answer at once.
        Workspace ws = Workspace.load(workspace.dir());
        List<TierConfig> chosen = new ArrayList<>();
        for (String n : tiers) {
            chosen.add(ws.tier(n));
        }
        RunLocks.unlock(ws.dir(), chosen, Who.current(), Tier::open).forEach(out::println);
        return 0;
    }
}
