package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "init", mixinStandardHelpOptions = true, description = {
        "Write a new workspace (sluice.json) from arguments.",
        "Example: sluice init -w prod --tier tier1=data/tier1.db --tier warehouse=jdbc:postgresql://127.0.0.1:5432/test"})
final class InitCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Option(names = {"-t", "--tier"}, required = true, paramLabel = "NAME=PATH_OR_URL",
            description = "A tier: a SQLite path (relative to the workspace) or a JDBC URL. Repeat for each tier.")
    List<String> tiers;

    @Option(names = "--snapshots", paramLabel = "DIR", description = "Snapshot folder (default: snapshots).")
    String snapshots;

    @Option(names = "--journal", paramLabel = "DIR", description = "Journal folder (default: sessions).")
    String journal;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        for (String t : tiers) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new SluiceException(ErrorCode.USAGE, "--tier '" + t + "' is not NAME=PATH_OR_URL. Example: --tier tier1=data/tier1.db");
            }
            specs.put(t.substring(0, eq), TierSpec.of(t.substring(eq + 1)));
        }
        Path written = Workspace.write(workspace.dir(), new Workspace.File(specs, snapshots, journal));
        try {
            Workspace.load(workspace.dir());
        } catch (SluiceException e) {
            try {
                java.nio.file.Files.deleteIfExists(written);
            } catch (java.io.IOException ignored) {
                // best effort: the message below says what was wrong
            }
            throw e;
        }
        spec.commandLine().getOut().println("Wrote " + written + " with tiers " + String.join(", ", specs.keySet()) + ".");
        return 0;
    }
}
