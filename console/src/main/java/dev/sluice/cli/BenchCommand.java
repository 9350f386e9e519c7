package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.snapshot.Sandbox;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.snapshot.Snapshots;
import dev.sluice.tier.Checksum;
import dev.sluice.tier.TierSet;
import dev.sluice.workspace.Workspace;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Times one product call for scripts/bench (hidden: a measuring tool, not an operator's command). Prints one
 * {@code key=value} line per run, the call's own time in milliseconds first, so the script can take medians.
 */
@Command(name = "bench", hidden = true, mixinStandardHelpOptions = true, description = {
        "Time a checksum, a snapshot or a sandbox through the product code (used by scripts/bench).",
        "Example: sluice bench -w /tmp/bench checksum --tier big --table t --runs 3"})
final class BenchCommand implements Callable<Integer> {
    @Mixin
    WorkspaceOption workspace;

    @Parameters(index = "0", paramLabel = "WHAT", description = "checksum, snapshot, or sandbox (copies every tier of the workspace, then drops the copies).")
    String what;

    @Option(names = "--tier", paramLabel = "TIER", description = "The tier to checksum or snapshot.")
    String tier;

    @Option(names = "--table", paramLabel = "TABLE", description = "The table to checksum.")
    String table;

    @Option(names = "--runs", paramLabel = "N", description = "Runs in this JVM (default 1).")
    int runs = 1;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (what.equals("sandbox")) {
            return sandbox(out);
        }
        if (tier == null) {
            throw new SluiceException(ErrorCode.USAGE, "bench " + what + " needs --tier. Example: --tier big");
        }
        try (TierSet tiers = TierSet.open(Workspace.load(workspace.dir()))) {
            for (int run = 1; run <= runs; run++) {
                long t0 = System.nanoTime();
                String result;
                if (what.equals("checksum")) {
                    if (table == null) {
                        throw new SluiceException(ErrorCode.USAGE, "bench checksum needs --table. Example: --table t");
                    }
                    Checksum c = tiers.get(tier).checksum(table);
                    result = "rows=" + c.rows() + " sha256=" + c.sha256();
                } else if (what.equals("snapshot")) {
                    Snapshots snaps = new Snapshots(tiers, Version.get());
                    Snapshot s = snaps.take("bench-" + System.currentTimeMillis() + "-" + run, List.of(tier));
                    Snapshot.SnapshotFile f = s.files().get(0);
                    result = "copy_ms=" + f.copyMillis() + " check_ms=" + f.checkMillis() + " bytes=" + s.bytes() + " sha256=" + f.sha256();
                    long took = System.nanoTime() - t0;
                    snaps.prune(0);
                    out.println("ms=" + took / 1_000_000 + " run=" + run + " " + result);
                    continue;
                } else {
                    throw new SluiceException(ErrorCode.USAGE, "bench measures 'checksum', 'snapshot' or 'sandbox', not '" + what + "'.");
                }
                out.println("ms=" + (System.nanoTime() - t0) / 1_000_000 + " run=" + run + " " + result);
                out.flush();
            }
        }
        return 0;
    }

    /**
     * What {@code sluice console --sandbox} does before its prompt and after its last input, without the console: the
     * sandbox's copies of every tier (no checks: a sandbox is throwaway), then their removal. {@code ms} is both together,
     * {@code copy_ms} the copies alone. SQLite's native library is loaded first (~0.3 s once per JVM), as the snapshot
     * figure has it loaded by its open tier: the call is timed, not the JVM's warm-up; scripts/bench's process time has both.
     */
    private int sandbox(PrintWriter out) {
        Workspace ws = Workspace.load(workspace.dir());
        try {
            java.sql.DriverManager.getConnection("jdbc:sqlite::memory:").close();
        } catch (java.sql.SQLException e) {
            throw new SluiceException(ErrorCode.FAILURE, "Cannot load SQLite: " + e.getMessage(), e);
        }
        for (int run = 1; run <= runs; run++) {
            long t0 = System.nanoTime();
            long copied;
            long bytes = 0;
            try (Sandbox sandbox = Sandbox.open(ws)) {
                copied = System.nanoTime();
                for (java.nio.file.Path f : sandbox.files()) {
                    bytes += f.toFile().length();
                }
            }
            long done = System.nanoTime();
            out.println("ms=" + (done - t0) / 1_000_000 + " run=" + run + " copy_ms=" + (copied - t0) / 1_000_000 + " drop_ms="
                    + (done - copied) / 1_000_000 + " bytes=" + bytes);
            out.flush();
        }
        return 0;
    }
}
