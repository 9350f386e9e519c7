package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.groovy.PlaybookLoader;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code step …, atomic: true}: the SQLite tiers ATTACHed to one connection commit as one, or not at all; what is
 * refused before anything runs; the raw-SQL guard; nothing stays attached afterwards.
 */
class AtomicStepTest {
    /** Moves tier2's queue into tier1's items, qualified, plus DSL calls on both tiers. */
    static final String MERGE = """
            playbook 'Merge', {
                tiers 'tier1', 'tier2'
                step 'merge queues', ATOMIC{
                    tier1.exec("INSERT INTO tier1.items (name) SELECT name FROM tier2.queue")
                    tier2.exec("DELETE FROM tier2.queue")
                    expect('moved') { tier2.count('queue') == 0 && tier1.count('items') == 5 && tier2.count('items') == 3 }
                }
            }
            """;

    @TempDir
    Path tmp;

    /** Two rollback-journal tiers with a short busy timeout: items(id, name) × 3 on both, queue(id, name) × 2 on tier2. */
    private Workspace workspace() {
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        for (String t : new String[]{"tier1", "tier2"}) {
            specs.put(t, new TierSpec("data/" + t + ".db", null, null, Map.of("busy_timeout", "200"), false, false, false));
        }
        Workspace.write(tmp, new Workspace.File(specs, "snapshots", "sessions"));
        Workspace ws = Workspace.load(tmp);
        for (String t : new String[]{"tier1", "tier2"}) {
            try (Tier tier = Tier.open(ws.tier(t), true)) {
                tier.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');\n"
                        + (t.equals("tier2") ? "CREATE TABLE queue (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO queue (name) VALUES ('q1'), ('q2');" : ""));
            }
        }
        return ws;
    }

    private Path playbook(String name, String text, boolean atomic) {
        try {
            Path p = Files.createDirectories(tmp.resolve("playbooks")).resolve(name);
            Files.writeString(p, text.replace("ATOMIC", atomic ? "atomic: true, " : ""));
            return p;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path file(String tier) {
        return tmp.resolve("data").resolve(tier + ".db");
    }

    private long count(Workspace ws, String tier, String table) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return t.count(table);
        }
    }

    private long history(Workspace ws, String tier) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return t.hasTable("sluice_history") ? ((Number) t.query("SELECT count(*) FROM sluice_history").value()).longValue() : 0;
        }
    }

    /** Each tier's table checksums through a fresh connection: what "neither tier changed" compares. */
    private Map<String, String> checksums(Workspace ws) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : new String[]{"tier1", "tier2"}) {
            try (Tier tier = Tier.open(ws.tier(t))) {
                for (String table : TierInternals.dataTables(tier)) {
                    out.put(t + "." + table, tier.checksum(table).sha256());
                }
            }
        }
        return out;
    }

    private Map<String, String> hashes() {
        return Map.of("tier1", TestWorkspaces.fileHash(file("tier1")), "tier2", TestWorkspaces.fileHash(file("tier2")));
    }

    /** Journals, super-journals, WAL files and scratch databases left anywhere in the workspace. */
    private List<Path> leftovers() {
        try (Stream<Path> s = Files.walk(tmp)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith("-journal") || n.contains("-mj") || n.endsWith("-wal") || n.startsWith("atomic-");
            }).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What PRAGMA database_list shows on each tier's connection: nothing may stay attached after a step. */
    private static void assertNothingAttached(Session s) {
        for (Tier t : s.tiers()) {
            assertFalse(TierInternals.routed(t), t.name() + " is back on its own connection");
            List<String> schemas = new ArrayList<>();
            t.each("PRAGMA database_list", r -> schemas.add((String) r.get(1)));
            schemas.remove("temp");
            assertEquals(List.of("main"), schemas, t.name() + ": only main is attached");
        }
    }

    @Test
    void atomicStepCommitsBothTiersWithAHistoryRowEachAndARerunSaysApplied() {
        Workspace ws = workspace();
        Path pb = playbook("merge.groovy", MERGE, true);
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("ATTACH DATABASE"), "the attach is announced as a note: " + r.out());
        assertEquals(5, count(ws, "tier1", "items"));
        assertEquals(0, count(ws, "tier2", "queue"));
        assertEquals(1, history(ws, "tier1"));
        assertEquals(1, history(ws, "tier2"));
        assertEquals(List.of(), leftovers(), "no journal, super-journal or scratch file left");

        CliRunner again = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("'merge queues': already applied"), again.out());
        assertEquals(1, history(ws, "tier1"));
    }

    /**
     * Tier-local SQL that reads the same with and without {@code atomic: true} (each name exists in one tier only, or
     * resolves to the issuing tier first), so the same playbook shows both commit paths.
     */
    static final String MOVE = """
            playbook 'Move', {
                tiers 'tier1', 'tier2'
                step 'merge queues', ATOMIC{
                    tier1.exec("INSERT INTO items (name) VALUES ('q1'), ('q2')")
                    tier2.exec("DELETE FROM queue")
                }
            }
            """;

    /** Opens the step, then a plain JDBC reader holds tier2's SHARED lock while the step commits. */
    private SluiceException commitUnderAReaderOnTier2(Path playbook) throws Exception {
        try (Session s = Session.open(tmp);
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(playbook), RunOptions.of(RunMode.STEP), null, null)) {
            run.commitWait(java.time.Duration.ofMillis(600));
            assertEquals(StepResult.Status.OPEN, run.next().status());
            assertEquals(0L, s.tier("tier2").count("queue"), "the open step's change is visible through the tier");
            try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + file("tier2")); Statement st = reader.createStatement()) {
                st.execute("BEGIN");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
                    rs.next(); // holds tier2's SHARED lock until ROLLBACK: no one can commit to tier2 meanwhile
                }
                SluiceException e = assertThrows(SluiceException.class, run::commit);
                st.execute("ROLLBACK");
                assertNothingAttached(s);
                return e;
            }
        }
    }

    @Test
    void aReaderThatOutstaysTheWaitLeavesNothingCommittedOnAnyTierAtomicOrNot() throws Exception {
        Workspace ws = workspace();
        Map<String, String> before = checksums(ws);
        SluiceException e = commitUnderAReaderOnTier2(playbook("move.groovy", MOVE, true));
        assertEquals(ErrorCode.LOCKED, e.code());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("Step 'merge queues' was not committed on any tier: tiers tier1, tier2 (one COMMIT) kept a reader "
                + "for 0.6 s. Nothing changed"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Nothing changed; let the reader finish (or stop it), then run the step again."), e.getMessage());
        assertEquals(before, checksums(ws), "neither tier changed");
        assertEquals(3, count(ws, "tier1", "items"));
        assertEquals(2, count(ws, "tier2", "queue"));
        assertEquals(0, history(ws, "tier1"));
        assertEquals(0, history(ws, "tier2"));
        assertEquals(List.of(), leftovers());
        assertFalse(Files.exists(tmp.resolve(".sluice").resolve("intents")) && tmp.resolve(".sluice/intents").toFile().list().length > 0,
                "no intent: the participants commit as one");

        // Without atomic: true it is the same by default (both files allow one COMMIT).
        SluiceException byDefault = commitUnderAReaderOnTier2(playbook("move.groovy", MOVE, false));
        assertTrue(byDefault.getMessage().contains("tiers tier1, tier2 (one COMMIT) kept a reader"), byDefault.getMessage());
        assertEquals(before, checksums(ws), "neither tier changed");

        // Opted out (atomic: false): tier1 commits first, tier2 cannot within the wait, and tier1 is put back from the
        // pre-step snapshot at once (issue 14: before, tier1 stayed committed and the step was half-applied).
        Path perTier = playbook("move.groovy", MOVE.replace("'merge queues', ATOMIC{", "'merge queues', atomic: false, {"), false);
        SluiceException ordered = commitUnderAReaderOnTier2(perTier);
        assertEquals(1, ordered.getMessage().lines().count(), ordered.getMessage());
        assertTrue(ordered.getMessage().startsWith("Step 'merge queues' was not committed: tier 'tier2' kept a reader for 0.6 s"), ordered.getMessage());
        assertTrue(ordered.getMessage().contains("tier1 had committed and was restored from the pre-step snapshot, so no tier has any of it"),
                ordered.getMessage());
        assertEquals(before, checksums(ws), "neither tier changed");
        assertEquals(0, history(ws, "tier1"));
        assertEquals(0, history(ws, "tier2"));
        try (Stream<Path> intents = Files.list(tmp.resolve(".sluice").resolve("intents"))) {
            assertEquals(0, intents.count(), "no intent and no pre-step snapshot left");
        }
    }

    @Test
    void aWalParticipantRefusesTheAtomicStepBeforeAnythingRuns() {
        Workspace ws = workspace();
        try (Tier t = Tier.open(ws.tier("tier2"))) {
            t.query("PRAGMA journal_mode = WAL");
        }
        Path pb = playbook("merge.groovy", MERGE, true);
        Map<String, String> bytes = hashes();
        CliRunner dry = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--dry-run");
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), dry.status(), dry.out() + dry.err());
        assertTrue(dry.err().contains("Step 'merge queues' is atomic, but tier 'tier2' is in WAL mode: SQLite commits attached WAL "
                + "databases one by one. Switch it with journalMode(tier2, 'delete') in an earlier step, or drop atomic: true."), dry.err());
        assertEquals(bytes, hashes(), "files byte-identical");

        Map<String, String> before = checksums(ws);
        CliRunner real = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), real.status(), real.out() + real.err());
        assertFalse(real.out().contains("Running step"), "refused before the step started: " + real.out());
        assertEquals(before, checksums(ws));
        assertEquals(0, history(ws, "tier1"));
        assertEquals(0, history(ws, "tier2"));
    }

    @Test
    void onlyTheTiersThePlaybookDeclaresTakePartSoAnUndeclaredWalTierIsNoObstacle() {
        workspace();
        try {
            Files.delete(tmp.resolve("sluice.json")); // the same two tiers plus a third
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            specs.put(t, new TierSpec("data/" + t + ".db", null, null, Map.of("busy_timeout", "200"), false, false, false));
        }
        Workspace.write(tmp, new Workspace.File(specs, "snapshots", "sessions"));
        Workspace ws = Workspace.load(tmp);
        try (Tier t = Tier.open(ws.tier("tier3"), true)) {
            t.script("PRAGMA journal_mode = WAL; CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);");
        }
        String tier3 = TestWorkspaces.fileHash(file("tier3"));
        CliRunner r = CliRunner.run("run", playbook("merge.groovy", MERGE, true).toString(), "-w", tmp.toString(), "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(5, count(ws, "tier1", "items"));
        assertEquals(0, count(ws, "tier2", "queue"));
        assertFalse(r.out().contains("AS \"tier3\""), "tier3 is not declared, so not attached: " + r.out());
        assertEquals(tier3, TestWorkspaces.fileHash(file("tier3")), "the undeclared tier is untouched");
    }

    @Test
    void aWriteTheUpdateHookCannotSeeStillGivesTheTierItsHistoryRow() {
        Workspace ws = workspace();
        try (Tier t = Tier.open(ws.tier("tier2"), true)) {
            t.script("CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID; INSERT INTO kv VALUES ('a', '1');");
        }
        Path pb = playbook("kv.groovy", """
                playbook 'KV', {
                    tiers 'tier1', 'tier2'
                    step 'set from tier1', atomic: true, {
                        tier1.exec("UPDATE tier2.kv SET v = (SELECT count(*) FROM tier1.items) WHERE k = 'a'")
                    }
                }
                """, true);
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        try (Tier t = Tier.open(ws.tier("tier2"))) {
            assertEquals("3", t.query("SELECT v FROM kv WHERE k = 'a'").value());
        }
        assertEquals(1, history(ws, "tier2"), "tier2 changed (no update hook for WITHOUT ROWID): it has its history row");
    }

    @Test
    void anUnqualifiedStatementThatResolvesToAnotherTierIsRefused() {
        Workspace ws = workspace();
        Path pb = playbook("guard.groovy", """
                playbook 'Guard', {
                    tiers 'tier1', 'tier2'
                    step 'merge queues', atomic: true, {
                        tier2.exec("INSERT INTO tier2.items (name) VALUES ('qualified, fine')")
                        tier2.exec("INSERT INTO items (name) VALUES ('meant for tier2, not tier1.items')")
                    }
                }
                """, true);
        Map<String, String> before = checksums(ws);
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        String expected = "tier2.exec: in atomic step 'merge queues' this statement reaches tier 'tier1' (an unqualified name resolved "
                + "there: every tier shares one connection in an atomic step). Qualify the table as tier2.items or tier1.items.";
        assertTrue((r.out() + r.err()).contains(expected), r.out() + r.err());
        assertEquals(before, checksums(ws), "both files unchanged, the qualified insert rolled back with the step");
        assertEquals(0, history(ws, "tier1"));
        assertEquals(0, history(ws, "tier2"));
        assertEquals(List.of(), leftovers());
        // A literal (or a column qualifier, or a comment) that looks like "tier1.items" does not make the reach deliberate.
    }

    @Test
    void nothingStaysAttachedAfterCommitRollbackOrFailure() {
        workspace();
        Path pb = playbook("steps.groovy", """
                playbook 'Steps', {
                    tiers 'tier1', 'tier2'
                    step 'rolled back', atomic: true, {
                        tier2.exec("DELETE FROM tier2.queue")
                    }
                    step 'fails', atomic: true, {
                        tier1.exec("DELETE FROM tier1.items")
                        throw new IllegalStateException('boom')
                    }
                }
                """, true);
        try (Session s = Session.open(tmp);
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, null)) {
            run.next();
            assertTrue(TierInternals.routed(s.tier("tier2")));
            assertEquals(Set2.of("main", "tier1", "tier2"), Set2.without(run.sharedSchemas(), "temp"));
            run.rollback();
            assertNothingAttached(s);
            run.next();
            run.commit();
            assertNothingAttached(s);
            StepResult failed = run.next();
            assertEquals(StepResult.Status.FAILED, failed.status());
            assertNothingAttached(s);
            assertEquals(3L, s.tier("tier1").count("items"), "the failed step rolled back");
            assertEquals(0L, s.tier("tier2").count("queue"), "the committed step stayed");
        }
        assertEquals(List.of(), leftovers());
    }

    @Test
    void dryRunOfAnAtomicStepLeavesEveryFileByteIdentical() {
        workspace();
        Path pb = playbook("merge.groovy", MERGE, true);
        Map<String, String> bytes = hashes();
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--dry-run");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("moved"), r.out());
        assertEquals(bytes, hashes());
        assertEquals(List.of(), leftovers());
    }

    /** Small set helpers, so the assertions read as sets. */
    private static final class Set2 {
        static java.util.Set<String> of(String... names) {
            return new java.util.TreeSet<>(List.of(names));
        }

        static java.util.Set<String> without(java.util.Set<String> names, String drop) {
            java.util.Set<String> out = new java.util.TreeSet<>(names);
            out.remove(drop);
            return out;
        }
    }
}
