package dev.sluice.cli;

import dev.sluice.data.Diff;
import dev.sluice.data.TableDiff;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "diff", mixinStandardHelpOptions = true, description = {
        "Compare a table on two tiers: inside SQLite with one file attached (two SQLite files), by a streamed merge of both",
        "tables read by key, or by bisection over key ranges (PostgreSQL); lists added, removed and changed keys and names the way.",
        "Exit status 0 when equal, 1 when they differ.",
        "Example: sluice diff -w /tmp/demo tier1 conversations warehouse"})
final class DiffCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "A", description = "First tier.")
    String a;

    @Parameters(index = "1", paramLabel = "TABLE", description = "Table (same name on both tiers unless --table-b).")
    String table;

    @Parameters(index = "2", paramLabel = "B", description = "Second tier.")
    String b;

    @Option(names = "--table-b", paramLabel = "TABLE", description = "Table name on the second tier.")
    String tableB;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (TierSet tiers = TierSet.open(Workspace.load(workspace.dir()))) {
            Diff d = TableDiff.diff(tiers.get(a).table(table), tiers.get(b).table(tableB == null ? table : tableB),
                    new dev.sluice.console.TerminalEvents(spec.commandLine().getErr()::println)); // a bar on a terminal only
            spec.commandLine().getOut().println(d);
            return d.equal() ? 0 : dev.sluice.error.ErrorCode.FAILURE.exitStatus();
        }
    }
}
