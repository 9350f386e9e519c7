package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.playbook.groovy.PlaybookLoader;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, points 3 and 4: a slow reader never leaves a multi-tier step half-applied, a crash between commits is
 * recovered by the next run, and no attachment outlives the step that made it.
 */
class MultiTierCommitTest {
    /** Writes one row to each of a and b on every run (always: true, so trials repeat it). */
    static final String BOTH = """
            playbook 'Both', {
                tiers 'a', 'b'
                param 'marker', ''
                step 'write both', always: true, OPTS{
                    a.exec("INSERT INTO " + a.qualified('items') + " (name) VALUES ('x')")
                    b.exec("INSERT INTO " + b.qualified('items') + " (name) VALUES ('x')")
                }
            }
            """;

    @TempDir
    Path tmp;

    /** Tiers a and b (in that order), each items(id, name) × 3, busy_timeout 50 ms (shorter than the readers' holds). */
    private Workspace workspace(Path dir, boolean aWal, boolean bWal) {
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        for (String t : new String[]{"a", "b"}) {
            specs.put(t, new TierSpec("data/" + t + ".db", null, null, Map.of("busy_timeout", "50"), false, false, false));
        }
        Workspace.write(dir, new Workspace.File(specs, "snapshots", "sessions"));
        Workspace ws = Workspace.load(dir);
        for (String t : new String[]{"a", "b"}) {
            try (Tier tier = Tier.open(ws.tier(t), true)) {
                tier.script(((t.equals("a") ? aWal : bWal) ? "PRAGMA journal_mode = WAL;\n" : "")
                        + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');");
            }
        }
        return ws;
    }

    private Path playbook(Path dir, String name, String text) {
        try {
            Path p = Files.createDirectories(dir.resolve("playbooks")).resolve(name);
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long value(Workspace ws, String tier, String sql) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return ((Number) t.query(sql).value()).longValue();
        }
    }

    private static long history(Workspace ws, String tier) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return t.hasTable("sluice_history") ? ((Number) t.query("SELECT count(*) FROM sluice_history").value()).longValue() : 0;
        }
    }

    /** A plain reader in a thread of its own: BEGIN; SELECT …; holds the file's SHARED lock for {@code hold}, then ends. */
    private static Thread reader(Path file, Duration hold, CountDownLatch holding) {
        Thread t = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement st = c.createStatement()) {
                st.execute("BEGIN");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
                    rs.next();
                }
                holding.countDown();
                Thread.sleep(hold.toMillis());
                st.execute("ROLLBACK");
            } catch (Exception e) {
                holding.countDown();
                throw new RuntimeException(e);
            }
        });
        t.start();
        return t;
    }

    /** A reader in another process (the sqlite3 CLI): BEGIN; SELECT …; sleeps {@code hold} inside the transaction. */
    private static Thread processReader(Path file, Duration hold, CountDownLatch holding) {
        Thread t = new Thread(() -> {
            try {
                Process p = new ProcessBuilder("sqlite3", file.toString()).redirectErrorStream(true).start();
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
                     var w = new java.io.PrintWriter(p.getOutputStream(), true)) {
                    w.println("BEGIN;");
                    w.println("SELECT 'holding', count(*) FROM items;");
                    in.readLine(); // the SELECT answered: its SHARED lock is held until COMMIT
                    holding.countDown();
                    w.println(".shell sleep " + hold.toMillis() / 1000.0);
                    w.println("COMMIT;");
                    w.println(".quit");
                }
                p.waitFor();
            } catch (Exception e) {
                holding.countDown();
                throw new RuntimeException(e);
            }
        });
        t.start();
        return t;
    }

    /**
     * {@code trials} times: the step is run and left open, a reader takes {@code readTier} for {@code hold} (three times
     * the tier's busy timeout), the step commits. Returns how many trials ended half-applied (one tier has the row,
     * the other not); every trial must also have committed both tiers.
     */
    private int halfApplied(Workspace ws, Path pb, String readTier, int trials, Duration hold) throws Exception {
        return halfApplied(ws, pb, readTier, trials, hold, false, Duration.ofSeconds(5), new ArrayList<>());
    }

    private int halfApplied(Workspace ws, Path pb, String readTier, int trials, Duration hold, boolean otherProcess, Duration wait,
                            List<String> notes) throws Exception {
        Playbook playbook = PlaybookLoader.load(pb);
        int half = 0;
        RunListener listen = new RunListener() {
            @Override
            public void note(String m) {
                notes.add(m);
            }
        };
        try (Session s = Session.open(ws.dir())) {
            for (int i = 1; i <= trials; i++) {
                long a0 = value(ws, "a", "SELECT count(*) FROM items");
                long b0 = value(ws, "b", "SELECT count(*) FROM items");
                try (PlaybookSession run = PlaybookSession.start(s, playbook, RunOptions.of(RunMode.STEP), null, listen)) {
                    run.commitWait(wait);
                    assertEquals(StepResult.Status.OPEN, run.next().status());
                    CountDownLatch holding = new CountDownLatch(1);
                    Thread r = otherProcess ? processReader(ws.tier(readTier).sqliteFile(), hold, holding)
                            : reader(ws.tier(readTier).sqliteFile(), hold, holding);
                    assertTrue(holding.await(10, TimeUnit.SECONDS));
                    try {
                        run.commit();
                    } catch (SluiceException e) {
                        notes.add("trial " + i + ": " + e.getMessage());
                    }
                    r.join();
                }
                long da = value(ws, "a", "SELECT count(*) FROM items") - a0;
                long db = value(ws, "b", "SELECT count(*) FROM items") - b0;
                if (da != db) {
                    half++;
                }
                assertEquals(1, da, "trial " + i + " committed on a: " + notes);
                assertEquals(1, db, "trial " + i + " committed on b: " + notes);
            }
        }
        assertFalse(notes.stream().anyMatch(n -> n.contains("does what one shared COMMIT cannot")), "no fallback: " + notes);
        assertFalse(notes.stream().anyMatch(n -> n.startsWith("trial ")), "no commit failed: " + notes);
        return half;
    }

    @Test
    void thirtyTrialsOfAReaderHoldingARollbackJournalTierDuringATwoTierCommitLeaveNoStepHalfApplied() throws Exception {
        Workspace ws = workspace(tmp, false, false);
        Path pb = playbook(tmp, "both.groovy", BOTH.replace("OPTS", ""));
        assertEquals(0, halfApplied(ws, pb, "b", 30, Duration.ofMillis(200)));
        assertEquals(60, history(ws, "a") + history(ws, "b"), "a history row per tier per trial");
    }

    /**
     * The acceptance line as written (run once, by hand: {@code scripts/reader-during-commit}): a sqlite3 process holds b
     * for {@code -Dsluice.readerHold} seconds (10) in each of {@code -Dsluice.readerTrials} trials, both modes at once.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "sluice.readerTrials", matches = "\\d+")
    void readersInAnotherProcessHoldingTenSecondsLeaveNoStepHalfApplied() throws Exception {
        int trials = Integer.parseInt(System.getProperty("sluice.readerTrials"));
        Duration hold = Duration.ofSeconds(Long.parseLong(System.getProperty("sluice.readerHold", "10")));
        Map<String, String> results = new java.util.concurrent.ConcurrentHashMap<>();
        List<Thread> modes = new ArrayList<>();
        for (String mode : new String[]{"rollback+rollback", "wal+rollback"}) {
            Thread t = new Thread(() -> {
                try {
                    Path dir = Files.createDirectories(tmp.resolve(mode));
                    Workspace ws = workspace(dir, mode.startsWith("wal"), false);
                    Path pb = playbook(dir, "both.groovy", BOTH.replace("OPTS", ""));
                    List<String> notes = java.util.Collections.synchronizedList(new ArrayList<>());
                    long t0 = System.nanoTime();
                    int half = halfApplied(ws, pb, "b", trials, hold, true, Duration.ofSeconds(30), notes);
                    String waits = notes.stream().filter(n -> n.startsWith("waiting for readers")).reduce((x, y) -> y).orElse("none");
                    results.put(mode, trials + " trials, a sqlite3 process holds b for " + hold.toSeconds() + " s: " + half
                            + " half-applied, " + notes.stream().filter(n -> n.startsWith("trial ")).count() + " commits failed, "
                            + (System.nanoTime() - t0) / 1_000_000_000 + " s; last wait line: " + waits);
                } catch (Throwable e) {
                    results.put(mode, "FAILED: " + e);
                }
            });
            t.start();
            modes.add(t);
        }
        for (Thread t : modes) {
            t.join();
        }
        results.forEach((m, r) -> System.out.println("reader-during-commit " + m + ": " + r));
        results.values().forEach(r -> assertTrue(r.contains(": 0 half-applied, 0 commits failed"), r));
    }

    @Test
    void thirtyTrialsTierByTierWhenTheStepOptsOut() throws Exception {
        Workspace ws = workspace(tmp, false, false);
        Path pb = playbook(tmp, "both.groovy", BOTH.replace("OPTS", "atomic: false, "));
        assertEquals(0, halfApplied(ws, pb, "b", 30, Duration.ofMillis(200)));
    }

    @Test
    void thirtyTrialsWithAWalTierAndARollbackJournalTier() throws Exception {
        // a (WAL) comes first in the workspace; before issue 14 it committed first and b's COMMIT then failed on the reader.
        Workspace ws = workspace(tmp, true, false);
        Path pb = playbook(tmp, "both.groovy", BOTH.replace("OPTS", ""));
        assertEquals(0, halfApplied(ws, pb, "b", 30, Duration.ofMillis(200)));
    }

    @Test
    void aLongerReaderIsWaitedForWithAStatusLineNamingTheTier() throws Exception {
        Workspace ws = workspace(tmp, true, false);
        Path pb = playbook(tmp, "both.groovy", BOTH.replace("OPTS", ""));
        List<String> notes = new ArrayList<>();
        RunListener listen = new RunListener() {
            @Override
            public void note(String m) {
                notes.add(m);
            }
        };
        try (Session s = Session.open(ws.dir());
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, listen)) {
            run.commitWait(Duration.ofSeconds(10));
            run.next();
            CountDownLatch holding = new CountDownLatch(1);
            Thread r = reader(ws.tier("b").sqliteFile(), Duration.ofMillis(2500), holding);
            holding.await(10, TimeUnit.SECONDS);
            run.commit();
            r.join();
        }
        assertTrue(notes.contains("waiting for readers on tier 'b', 1 s of 10 s"), notes.toString());
        assertEquals(4, value(ws, "a", "SELECT count(*) FROM items"));
        assertEquals(4, value(ws, "b", "SELECT count(*) FROM items"));
    }

    @Test
    void aReaderThatOutstaysTheWaitOnAMixLeavesNothingCommittedAndSaysWhichTier() throws Exception {
        Workspace ws = workspace(tmp, true, false);
        Path pb = playbook(tmp, "both.groovy", BOTH.replace("OPTS", ""));
        try (Session s = Session.open(ws.dir());
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, null)) {
            run.commitWait(Duration.ofMillis(400));
            run.next();
            CountDownLatch holding = new CountDownLatch(1);
            Thread r = reader(ws.tier("b").sqliteFile(), Duration.ofMillis(1500), holding);
            holding.await(10, TimeUnit.SECONDS);
            SluiceException e = org.junit.jupiter.api.Assertions.assertThrows(SluiceException.class, run::commit);
            r.join();
            assertEquals(ErrorCode.LOCKED, e.code());
            assertEquals("Step 'write both' was not committed on any tier: tier 'b' kept a reader for 0.4 s. Nothing changed; let the reader "
                    + "finish (or stop it), then run the step again.", e.getMessage());
        }
        assertEquals(3, value(ws, "a", "SELECT count(*) FROM items"), "the WAL tier did not commit first");
        assertEquals(3, value(ws, "b", "SELECT count(*) FROM items"));
        assertEquals(0, history(ws, "a") + history(ws, "b"));
    }

    @Test
    void aDeferredConstraintOnPostgresStopsTheStepBeforeTheSqliteTierCommits() throws Exception {
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE parent (id BIGINT PRIMARY KEY)");
                st.execute("CREATE TABLE child (id BIGINT PRIMARY KEY, parent BIGINT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
            }
            // The SQLite tier comes first in the workspace: before issue 14 it committed, then PostgreSQL's COMMIT failed.
            Files.createDirectories(tmp.resolve("data"));
            Files.writeString(tmp.resolve("sluice.json"), """
                    { "tiers": { "lite": "data/lite.db", "warehouse": { "url": "%s", "user": "%s" } } }
                    """.formatted(pg.url(), dev.sluice.testing.Postgres.USER));
            Workspace ws = Workspace.load(tmp);
            try (Tier t = Tier.open(ws.tier("lite"), true)) {
                t.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
            }
            Path pb = playbook(tmp, "pg.groovy", """
                    playbook 'Pg', {
                        tiers 'lite', 'warehouse'
                        step 'orphan', {
                            lite.exec("INSERT INTO items (name) VALUES ('x')")
                            warehouse.exec("INSERT INTO child (id, parent) VALUES (1, 42)")
                        }
                    }
                    """);
            CliRunner r = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
            assertEquals(ErrorCode.EXPECTATION.exitStatus(), r.status(), r.out() + r.err());
            assertTrue(r.err().contains("Step 'orphan' breaks a deferred constraint on tier 'warehouse'"), r.err());
            assertTrue(r.err().contains("nothing was committed on any tier"), r.err());
            assertEquals(0, value(ws, "lite", "SELECT count(*) FROM items"), "the SQLite tier did not commit");
            assertEquals(0, history(ws, "lite"));
        }
    }

    // ---------------------------------------------------------------- crash between commits

    static final String CRASH = """
            playbook 'Crash', {
                tiers 'a', 'b'
                param 'marker', ''
                step 'first', {
                    a.exec("INSERT INTO items (name) VALUES ('first')")
                }
                step 'write both', atomic: false, {
                    a.exec("UPDATE items SET name = name || '+' WHERE id <= 2")
                    a.exec("INSERT INTO items (name) VALUES ('both-a')")
                    b.exec("INSERT INTO items (name) VALUES ('both-b')")
                    if (marker) { new File(marker).text = 'inside'; Thread.sleep(3000) }
                }
                step 'last', {
                    b.exec("DELETE FROM items WHERE id = 1")
                }
            }
            """;

    private static Map<String, String> data(Workspace ws) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : new String[]{"a", "b"}) {
            try (Tier tier = Tier.open(ws.tier(t))) {
                out.put(t, tier.checksum("items").toString());
                assertTrue(tier.integrity().ok(), t + " passes integrity_check");
            }
        }
        return out;
    }

    @Test
    void killMinus9BetweenTheCommitsOfATwoTierStepIsRecoveredByTheNextRun() throws Exception {
        Workspace ws = workspace(tmp, false, false);
        Path pb = playbook(tmp, "crash.groovy", CRASH);
        Path log = tmp.resolve("child.log");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dsluice.commitWait=60"));
        if (System.getProperty("org.sqlite.tmpdir") != null) {
            cmd.add("-Dorg.sqlite.tmpdir=" + System.getProperty("org.sqlite.tmpdir"));
        }
        Path marker = tmp.resolve("marker");
        cmd.addAll(List.of("dev.sluice.cli.Main", "run", pb.toString(), "-w", tmp.toString(), "--yes", "-p", "marker=" + marker));
        // Once the child is inside 'write both', a reader takes b: the child commits a, then waits for b (its status
        // line), and is killed right there, between its two commits.
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.tier("b").sqliteFile()); Statement st = c.createStatement()) {
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (child.isAlive() && System.nanoTime() < deadline && !Files.exists(marker)) {
                    Thread.sleep(20);
                }
                assertTrue(Files.exists(marker), "the child reached the step: " + Files.readString(log));
                st.execute("BEGIN");
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM items")) {
                    rs.next();
                }
                while (child.isAlive() && System.nanoTime() < deadline && !Files.readString(log).contains("waiting for readers on tier 'b'")) {
                    Thread.sleep(50);
                }
                assertTrue(Files.readString(log).contains("waiting for readers on tier 'b'"), "the child is between its commits: " + Files.readString(log));
            } finally {
                child.destroyForcibly(); // SIGKILL on Linux
                child.waitFor(30, TimeUnit.SECONDS);
            }
            st.execute("ROLLBACK");
        }
        assertEquals(5, value(ws, "a", "SELECT count(*) FROM items"), "a committed 'first' and its part of 'write both'");
        assertEquals(3, value(ws, "b", "SELECT count(*) FROM items"), "b did not commit 'write both'");
        CliRunner list = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--list");
        assertTrue(list.lists(2, "partial", "write both") && list.listed(2).contains("a \u2713 b \u2717"), "listed honestly: " + list.out());

        // Until file locks replace lock rows (the 'locks' work of issue 14) a killed run's row needs 'unlock'; recovery itself needs no command.
        CliRunner unlock = CliRunner.run("unlock", "a", "b", "-w", tmp.toString());
        assertEquals(0, unlock.status(), unlock.out() + unlock.err());

        Files.delete(marker);
        CliRunner rerun = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
        assertEquals(0, rerun.status(), rerun.out() + rerun.err());
        assertTrue(rerun.out().contains("Finished: step 'write both' of crash was partial (a \u2713 b \u2717"), rerun.out());
        try (Stream<Path> left = Files.list(tmp.resolve(".sluice").resolve("intents"))) {
            assertEquals(List.of(), left.toList(), "no intent and no pre-step snapshot left");
        }

        // The same playbook, uninterrupted, on a fresh copy of the workspace: the same data.
        Path clean = Files.createDirectories(tmp.resolve("clean"));
        Workspace ws2 = workspace(clean, false, false);
        CliRunner straight = CliRunner.run("run", playbook(clean, "crash.groovy", CRASH).toString(), "-w", clean.toString(), "--yes");
        assertEquals(0, straight.status(), straight.out() + straight.err());
        assertEquals(data(ws2), data(ws));
        assertEquals(2, history(ws, "a"), "first and write both, nothing twice (finishing left tier a alone)");
        assertEquals(2, history(ws, "b"));
    }

    // ---------------------------------------------------------------- attachments

    static final String COPY_THEN_BOTH = """
            playbook 'Copy', {
                tiers 'a', 'b'
                step 'copy a.items into b', {
                    copy from: a, table: 'items', to: b, into: 'items_from_a'
                }
                step 'write both', atomic: false, {
                    a.exec("INSERT INTO items (name) VALUES ('later')")
                    b.exec("INSERT INTO items (name) VALUES ('later')")
                }
            }
            """;

    @Test
    void aCopyInsideAStepLeavesNoAttachmentAndALaterTwoTierStepCommits() {
        Workspace ws = workspace(tmp, false, false);
        Path pb = playbook(tmp, "copy.groovy", COPY_THEN_BOTH);
        List<String> notes = new ArrayList<>();
        RunListener listen = new RunListener() {
            @Override
            public void note(String m) {
                notes.add(m);
            }
        };
        try (Session s = Session.open(ws.dir());
             PlaybookSession run = PlaybookSession.start(s, PlaybookLoader.load(pb), RunOptions.of(RunMode.STEP), null, listen)) {
            assertEquals(StepResult.Status.OPEN, run.next().status());
            run.commit();
            for (Tier t : s.tiers()) {
                List<String> schemas = new ArrayList<>();
                t.each("PRAGMA database_list", r -> schemas.add((String) r.get(1)));
                schemas.remove("temp");
                assertEquals(List.of("main"), schemas, t.name() + ": only main after the copy's step");
            }
            assertEquals(StepResult.Status.OPEN, run.next().status());
            run.commit(); // that it does not wait for the copy's source is CopyThenCompareTest's, without a clock
        }
        assertTrue(notes.stream().anyMatch(n -> n.startsWith("step 'copy a.items into b' does what one shared COMMIT cannot")),
                "the fallback is said in one line: " + notes);
        assertEquals(3, value(ws, "b", "SELECT count(*) FROM items_from_a"));
        assertEquals(4, value(ws, "a", "SELECT count(*) FROM items"));
        assertEquals(4, value(ws, "b", "SELECT count(*) FROM items"));
    }

    @Test
    void aLockHeldByThisProcesssOwnConnectionIsNamedNotBlamedOnAnotherWriter() {
        Workspace ws = workspace(tmp, false, false);
        try (Session s = Session.open(ws.dir())) {
            Tier a = s.tier("a");
            Tier b = s.tier("b");
            b.begin();
            b.exec("ATTACH DATABASE ? AS src", ws.tier("a").sqliteFile().toString());
            b.query("SELECT count(*) FROM src.items"); // b's transaction now holds a's SHARED lock
            a.begin();
            a.exec("INSERT INTO items (name) VALUES ('x')");
            SluiceException e = org.junit.jupiter.api.Assertions.assertThrows(SluiceException.class, a::commit);
            assertEquals(ErrorCode.LOCKED, e.code());
            assertFalse(e.getMessage().contains("another connection"), e.getMessage());
            assertTrue(e.getMessage().startsWith("Tier 'a' is locked by this Sluice process's own connection to tier 'b', which has a.db "
                    + "ATTACHed as 'src' inside its open transaction"), e.getMessage());
            a.rollback();
            b.rollback();
        }
    }
}
