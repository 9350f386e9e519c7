package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.dsl.Session;
import dev.sluice.playbook.groovy.PlaybookLoader;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 14, "the same shape also stalls 10 s while comparing checksums": a step copies {@code a.items} into tier b, a
 * later step writes both tiers and compares their checksums. The copy's ATTACH of a.db must be gone from b's connection
 * once its step ends; otherwise b's next transaction reads a.db's schema through it, holds a.db's SHARED lock, and a's
 * COMMIT waits for it. Both tiers run with busy_timeout 0 and the commit wait 0, so such a wait fails the step here
 * instead of stalling it: the test needs no clock.
 */
class CopyThenCompareTest {
    static final String PLAYBOOK = """
            playbook 'Copy then compare', {
                tiers 'a', 'b'
                step 'copy a.items into b', {
                    copy from: a, table: 'items', to: b, into: 'items_from_a'
                }
                step 'write both and compare', ATOMIC {
                    a.exec("INSERT INTO items (name) VALUES ('later')")
                    b.exec("INSERT INTO items_from_a (name) VALUES ('later')")
                    expect('b holds what a holds') { a.checksum('items') == b.checksum('items_from_a') }
                }
            }
            """;

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}, {1}")
    @CsvSource({"DELETE, default", "DELETE, atomic: false", "WAL, default", "WAL, atomic: false"})
    void aCopyStepThenAStepThatWritesBothTiersAndComparesChecksumsCommitsWithoutWaitingIssue14(String journalMode, String atomic)
            throws Exception {
        Workspace ws = workspace(journalMode);
        Path pb = Files.writeString(tmp.resolve("copy-then-compare.groovy"),
                PLAYBOOK.replace("ATOMIC ", atomic.equals("default") ? "" : atomic + ", "));
        try (Session s = Session.open(ws.dir());
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, new RunListener() { })
                     .commitWait(Duration.ZERO)) {
            assertEquals(StepResult.Status.OPEN, run.next().status());
            assertEquals(StepResult.Status.COMMITTED, run.commit().status());
            for (Tier t : s.tiers()) {
                assertEquals(List.of("main"), schemas(t), t.name() + "'s connection after the copy's step: nothing attached");
            }

            StepResult compared = run.next();
            assertEquals(StepResult.Status.OPEN, compared.status(), compared.toString());
            assertTrue(compared.expectationsHold(), compared.toString());
            StepResult committed = run.commit();
            assertEquals(StepResult.Status.COMMITTED, committed.status(), committed.toString());
            for (Tier t : s.tiers()) {
                assertEquals(List.of("main"), schemas(t), t.name() + "'s connection after the two-tier step");
            }
        }
        try (Tier a = Tier.open(ws.tier("a")); Tier b = Tier.open(ws.tier("b"))) {
            assertEquals(4L, a.count("items"));
            assertEquals(4L, b.count("items_from_a"));
            assertEquals(a.checksum("items"), b.checksum("items_from_a"));
            assertEquals(journalMode.toLowerCase(), String.valueOf(b.query("PRAGMA journal_mode").value()));
        }
    }

    /**
     * One step copies from a rollback-journal tier into a WAL tier, then writes the source: the target's transaction holds
     * the source ATTACHed (read-locked) until it ends, so the target must commit first. The source committed first and
     * waited on that lock until the wait ran out (found by ExportTest). Both orders of modes, with no wait allowed.
     */
    @ParameterizedTest(name = "source {0}, target {1}")
    @CsvSource({"DELETE, WAL", "WAL, DELETE", "DELETE, DELETE", "WAL, WAL"})
    void aStepThatCopiesFromATierAndThenWritesItCommits(String sourceMode, String targetMode) throws Exception {
        Workspace ws = workspace(sourceMode);
        try (Tier b = Tier.open(ws.tier("b"), true)) {
            b.script("PRAGMA journal_mode = " + targetMode + ";");
        }
        Path pb = Files.writeString(tmp.resolve("copy-then-write.groovy"), """
                playbook 'Copy then write the source', {
                    tiers 'a', 'b'
                    step 'copy a.items into b, then mark them copied in a', {
                        copy from: a, table: 'items', to: b, into: 'items_from_a'
                        a.exec("UPDATE items SET name = name || ' (copied, 東京)'")
                        expect('b holds the three') { b.count('items_from_a') == 3 }
                    }
                }
                """);
        try (Session s = Session.open(ws.dir());
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, new RunListener() { })
                     .commitWait(Duration.ZERO)) {
            StepResult open = run.next();
            assertEquals(StepResult.Status.OPEN, open.status(), open.toString());
            StepResult committed = run.commit();
            assertEquals(StepResult.Status.COMMITTED, committed.status(), committed.toString());
        }
        try (Tier a = Tier.open(ws.tier("a")); Tier b = Tier.open(ws.tier("b"))) {
            assertEquals(3L, a.count("items", "name LIKE '% (copied, 東京)'"));
            assertEquals(3L, b.count("items_from_a", "name NOT LIKE '%copied%'"));
        }
    }

    /** The schemas on a tier's connection, without SQLite's own temp. */
    private static List<String> schemas(Tier t) {
        List<String> out = new ArrayList<>();
        t.each("PRAGMA database_list", r -> out.add((String) r.get(1)));
        out.remove("temp");
        return out;
    }

    /** Tiers a and b with three items each, busy_timeout 0: any wait for a lock is an error, not a stall. */
    private Workspace workspace(String journalMode) {
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        for (String t : new String[]{"a", "b"}) {
            specs.put(t, new TierSpec("data/" + t + ".db", null, null, Map.of("busy_timeout", "0"), false, false, false));
        }
        Workspace.write(tmp, new Workspace.File(specs, "snapshots", "sessions"));
        Workspace ws = Workspace.load(tmp);
        for (String t : new String[]{"a", "b"}) {
            try (Tier tier = Tier.open(ws.tier(t), true)) {
                tier.script("PRAGMA journal_mode = " + journalMode + ";\n"
                        + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');");
            }
        }
        return ws;
    }
}
