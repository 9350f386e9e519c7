package dev.sluice.cli;

import dev.sluice.data.CopyOptions;
import dev.sluice.data.CopyResult;
import dev.sluice.data.TableCopy;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "copy", mixinStandardHelpOptions = true, description = {
        "Copy a table from one tier to another in one transaction, verified by count and checksum (all or nothing).",
        "Example: sluice copy -w /tmp/demo tier1 conversations warehouse --into conversations_2025"})
final class CopyCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "FROM", description = "Source tier.")
    String from;

    @Parameters(index = "1", paramLabel = "TABLE", description = "Source table.")
    String table;

    @Parameters(index = "2", paramLabel = "TO", description = "Target tier.")
    String to;

    @Option(names = "--into", paramLabel = "TABLE", description = "Target table (default: the source table's name).")
    String into;

    @Option(names = "--where", paramLabel = "SQL", description = "Copy only the source rows matching this condition.")
    String where;

    @Option(names = "--columns", split = ",", paramLabel = "C1,C2", description = "Copy only these columns.")
    List<String> columns;

    @Option(names = "--cast-timestamps", description = "PostgreSQL targets: DATETIME/TIMESTAMP text becomes timestamptz.")
    boolean castTimestamps;

    @Option(names = "--no-verify", description = "Skip the count and checksum comparison.")
    boolean noVerify;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (TierSet tiers = TierSet.open(Workspace.load(workspace.dir()))) {
            CopyOptions o = CopyOptions.defaults().into(into).where(where).columns(columns).castTimestamps(castTimestamps)
                    .verify(!noVerify).announce(s -> spec.commandLine().getErr().println("sluice: " + s))
                    .events(new dev.sluice.console.TerminalEvents(spec.commandLine().getErr()::println)); // a bar on a terminal only
            CopyResult r = TableCopy.copy(tiers.get(from), table, tiers.get(to), o);
            spec.commandLine().getOut().println(r);
        }
        return 0;
    }
}
