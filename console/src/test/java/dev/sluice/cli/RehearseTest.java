package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.testing.Postgres;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run PLAYBOOK --rehearse} (issue 13, point 2), through Main, on tiers the code was not written for: a WAL
 * tier and a rollback-journal tier whose rows hold NULLs, unicode and blobs, and a playbook that also snapshots and
 * writes a file beside the workspace (what a rehearsal must keep out of the live workspace).
 */
class RehearseTest {
    @TempDir
    Path dir;

    private static final String PLAYBOOK = """
            playbook 'Label the items', {
                tiers 'walt', 'plain'
                step 'add a label column', {
                    addColumn walt, 'items', 'label TEXT'
                    expect('the column exists') { walt.hasColumn('items', 'label') }
                }
                step 'snapshot and write the plan', {
                    snapshot 'before-labels', walt
                    java.nio.file.Files.writeString(workspace.dir().resolve('plan.json'), '{"labels": true}')
                    expect('the plan is written') { java.nio.file.Files.exists(workspace.dir().resolve('plan.json')) }
                }
                step 'label every item', {
                    walt.exec("UPDATE items SET label = coalesce(name, '∅') || '·'")
                    expect('every item is labelled') { walt.count('items', 'label IS NULL') == 0 }
                    CHECK
                }
                step 'copy the items to plain', {
                    copy walt, 'items', plain
                }
            }
            """;

    /** The playbook; {@code failing}: its third step has an expectation the data breaks (names longer than 3 characters). */
    private Path playbook(boolean failing) throws IOException {
        Path pb = dir.resolve(failing ? "failing.groovy" : "labels.groovy");
        Files.writeString(pb, PLAYBOOK.replace("CHECK", failing
                ? "expect('labels fit in 3 characters') { walt.count('items', 'length(label) > 3') == 0 }" : ""));
        return pb;
    }

    /** A WAL tier with 200 items (NULL names, unicode, blobs) and an empty rollback-journal tier. */
    private Path workspace() throws Exception {
        Path ws = dir.resolve("ws");
        Files.createDirectories(ws.resolve("data"));
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/walt.db")); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = WAL");
            st.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, payload BLOB)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO items VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 200; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, i % 7 == 0 ? null : i % 3 == 0 ? "東京 " + i : "é" + i);
                    ps.setBytes(3, i % 5 == 0 ? null : new byte[] {(byte) i, 0, (byte) 0xff});
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/plain.db")); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode = DELETE");
            st.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
        }
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("walt", TierSpec.of("data/walt.db"));
        tiers.put("plain", TierSpec.of("data/plain.db"));
        Workspace.write(ws, new Workspace.File(tiers, null, null));
        return ws;
    }

    /** Every file of the workspace with its SHA-256, the journal folder left out (a rehearsal journals there). */
    private static Map<String, String> files(Path ws) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(ws)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !ws.relativize(p).startsWith("sessions")).toList()) {
                out.put(ws.relativize(p).toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    private static Object value(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    private static void exec(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static List<Path> journals(Path ws) throws IOException {
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            return s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
        }
    }

    private static JsonNode header(Path journal) throws IOException {
        return new ObjectMapper().readTree(Files.readAllLines(journal).get(0));
    }

    /** Runs the CLI with an operator who, when asked, first lets {@code between} change the live tiers, then answers y. */
    private static CliRunner answeringAfter(ThrowingRunnable between, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream in = new InputStream() {
            private InputStream answer;

            @Override
            public synchronized int read() throws IOException {
                if (answer == null) {
                    try {
                        // An operator reads the question before answering (and stdin is peeked before the run starts).
                        long deadline = System.nanoTime() + 120_000_000_000L;
                        while (!out.toString().contains("apply to the live tiers?") && System.nanoTime() < deadline) {
                            Thread.sleep(20);
                        }
                        between.run();
                    } catch (Exception e) {
                        throw new IOException(e);
                    }
                    answer = new ByteArrayInputStream("y\n".getBytes(StandardCharsets.UTF_8));
                }
                return answer.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int c = read();
                if (c < 0) {
                    return -1;
                }
                b[off] = (byte) c;
                return 1;
            }
        };
        int status = Main.run(args, in, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRunner(status, out.toString(), err.toString());
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void aPassingRehearsalIsAppliedUnderYesAndItsJournalAndReportAreKept() throws Exception {
        Path ws = workspace();
        Path report = dir.resolve("run.html");
        CliRunner r = CliRunner.run("run", playbook(false).toString(), "-w", ws.toString(), "--rehearse", "--yes", "--report", report.toString());

        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Rehearsal passed (4 steps, "), r.out());
        assertTrue(r.out().lines().filter(l -> l.contains("Running step")).limit(4).allMatch(l -> l.startsWith("REHEARSAL │ ")),
                "every line of the rehearsal says so: " + r.out());
        assertTrue(r.out().contains("Applied as rehearsed: 4 step(s) in "), r.out());
        assertTrue(r.out().contains("(the rehearsal took "), r.out());
        // The live tiers hold what the playbook does, once.
        Path walt = ws.resolve("data/walt.db");
        assertEquals(0L, ((Number) value(walt, "SELECT count(*) FROM items WHERE label IS NULL")).longValue());
        assertEquals("東京 3·", value(walt, "SELECT label FROM items WHERE id = 3"));
        assertEquals("∅·", value(walt, "SELECT label FROM items WHERE id = 7"));
        assertEquals(200L, ((Number) value(ws.resolve("data/plain.db"), "SELECT count(*) FROM items")).longValue());
        // The live run took its own snapshot and wrote its own plan; the rehearsal's stayed in the sandbox.
        assertTrue(Files.isRegularFile(ws.resolve("snapshots/before-labels/manifest.json")));
        try (Stream<Path> s = Files.list(ws.resolve("snapshots"))) {
            assertEquals(1, s.count(), "one snapshot: the live run's");
        }
        assertTrue(Files.isRegularFile(ws.resolve("plan.json")));
        // Two journals: the rehearsal's, marked sandbox, and the live run's.
        List<Path> journals = journals(ws);
        assertEquals(2, journals.size(), journals.toString());
        assertTrue(header(journals.get(0)).path("sandbox").asBoolean(), "the rehearsal's journal is marked sandbox");
        assertFalse(header(journals.get(1)).path("sandbox").asBoolean());
        assertTrue(Files.isRegularFile(report), "the live run's report");
        assertTrue(Files.isRegularFile(dir.resolve("run.rehearsal.html")), "the rehearsal's report");
        // Nothing of the rehearsal's run state in the live workspace.
        assertFalse(Files.exists(ws.resolve(".sluice/intents")) && Files.list(ws.resolve(".sluice/intents")).findAny().isPresent());

        CliRunner again = CliRunner.run("run", playbook(false).toString(), "-w", ws.toString(), "--rehearse", "--yes");
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("every selected step is already applied; nothing to apply"), again.out());
    }

    /**
     * A rehearsal killed with {@code kill -9} leaves its copies in the temporary folder; the next sandbox made removes the
     * folders whose owner no longer runs, and says so in one line. A folder whose owner runs (this JVM), or whose owner
     * is not known yet (no owner file: a sandbox being made), is left alone.
     */
    @Test
    void theSandboxFoldersOfAKilledProcessAreRemovedByTheNextRehearsalAndNamed() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long goneStart = gone.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
        Path killed = Files.createTempDirectory(tmp, "sluice-sandbox-");
        String space = Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip() + ":" + Files.readSymbolicLink(Path.of("/proc/self/ns/pid"));
        Files.writeString(killed.resolve(".sluice-owner"), gone.pid() + " " + goneStart + " " + space + "\n");
        Files.writeString(killed.resolve("walt.db"), "a copy the killed process never dropped");
        Files.createDirectories(killed.resolve("workspace/sql"));
        Path running = Files.createTempDirectory(tmp, "sluice-sandbox-");
        ProcessHandle me = ProcessHandle.current();
        Files.writeString(running.resolve(".sluice-owner"), me.pid() + " " + me.info().startInstant().orElseThrow().toEpochMilli() + " " + space + "\n");
        Path beingMade = Files.createTempDirectory(tmp, "sluice-sandbox-");
        // The same dead pid seen from another process table (a container sharing /tmp): its owner may well run there.
        Path otherContainer = Files.createTempDirectory(tmp, "sluice-sandbox-");
        Files.writeString(otherContainer.resolve(".sluice-owner"), gone.pid() + " " + goneStart + " " + space.replaceAll("\\d+]$", "1]") + "\n");
        try {
            Path ws = workspace();
            CliRunner r = CliRunner.run("run", playbook(false).toString(), "-w", ws.toString(), "--rehearse", "--yes");

            assertEquals(0, r.status(), r.out() + r.err());
            assertFalse(Files.exists(killed), "the killed process's copies are removed");
            assertTrue(r.out().contains("removed 1 sandbox folder(s) left by a process that no longer runs") && r.out().contains(killed.toString()),
                    r.out());
            assertTrue(Files.exists(running.resolve(".sluice-owner")), "a running owner's folder stays");
            assertTrue(Files.isDirectory(beingMade), "a folder without an owner yet stays");
            assertTrue(Files.exists(otherContainer.resolve(".sluice-owner")), "a folder from another process table stays");
        } finally {
            for (Path d : List.of(running.resolve(".sluice-owner"), running, beingMade, otherContainer.resolve(".sluice-owner"), otherContainer)) {
                Files.deleteIfExists(d);
            }
        }
    }

    @Test
    void aFailingRehearsalLeavesEveryLiveFileByteIdenticalAndNamesTheStep() throws Exception {
        Path ws = workspace();
        Map<String, String> before = files(ws);
        CliRunner r = CliRunner.run("run", playbook(true).toString(), "-w", ws.toString(), "--rehearse", "--yes");

        assertNotEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Rehearsal failed ("), r.out());
        assertTrue(r.out().contains("Step 'label every item' rolled back") && r.out().contains("'labels fit in 3 characters'"), r.out());
        assertTrue(r.out().contains("Nothing was applied: the live tiers were not touched."), r.out());
        assertFalse(r.out().contains("Applied as rehearsed"), r.out());
        assertEquals(before, files(ws), "every live file byte-identical; no snapshot, plan or run state left behind");
        assertEquals(1, journals(ws).size(), "the rehearsal's journal is kept");
    }

    @Test
    void aRowChangedBetweenRehearsalAndLiveRunStopsThatStepBeforeItCommits() throws Exception {
        Path ws = workspace();
        Path walt = ws.resolve("data/walt.db");
        Path pb = playbook(false);
        CliRunner r = answeringAfter(() -> exec(walt, "UPDATE items SET name = 'changed meanwhile' WHERE id = 1"),
                "run", pb.toString(), "-w", ws.toString(), "--rehearse");

        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Rehearsal passed (4 steps, ") && r.out().contains("apply to the live tiers? [y/N]"), r.out());
        assertTrue(r.out().contains("Live run stopped"), r.out());
        assertTrue(r.out().contains("walt.items held other data before the step: same 200 rows, other checksum"), r.out());
        assertTrue(r.out().contains("recorded: ") && r.out().contains("now: "), "recorded vs now: " + r.out());
        // Steps before it are committed, it is not, and the change made meanwhile is kept.
        assertEquals(200L, ((Number) value(walt, "SELECT count(*) FROM items WHERE label IS NULL")).longValue(), "step 3 not committed");
        assertEquals("changed meanwhile", value(walt, "SELECT name FROM items WHERE id = 1"));
        CliRunner list = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--list");
        assertTrue(list.out().contains("applied  add a label column") && list.out().contains("pending  label every item")
                && list.out().contains("pending  copy the items to plain"), list.out());
        assertNull(value(ws.resolve("data/plain.db"), "SELECT name FROM sqlite_schema WHERE name = 'items'"), "step 4 never ran");
    }

    /** A step edited between rehearsal and apply stops there, and its non-transactional action is not performed on live. */
    @Test
    void aStepEditedBeforeTheApplyDoesNothingIrreversible() throws Exception {
        Path ws = workspace();
        Path pb = playbook(false);
        CliRunner r = answeringAfter(() -> Files.writeString(pb, Files.readString(pb).replace("snapshot 'before-labels'", "snapshot 'edited'")),
                "run", pb.toString(), "-w", ws.toString(), "--rehearse");

        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("the source of step 'snapshot and write the plan' changed since the recording"), r.out());
        assertFalse(Files.exists(ws.resolve("snapshots/edited")), "the edited step's snapshot was not taken on live");
        assertFalse(Files.exists(ws.resolve("plan.json")));
    }

    /** A link in the workspace folder pointing outside it: a rehearsal writing through it writes into its own copy. */
    @Test
    void aRehearsalWritesThroughNoLinkToTheLiveSide() throws Exception {
        Path ws = workspace();
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createSymbolicLink(ws.resolve("exports"), outside);
        Path pb = dir.resolve("export.groovy");
        Files.writeString(pb, """
                playbook 'Export', {
                    tiers 'walt'
                    step 'write an export, then fail', {
                        java.nio.file.Files.writeString(workspace.dir().resolve('exports/items.csv'), 'id\\n1\\n')
                        expect('never') { false }
                    }
                }
                """);
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--rehearse", "--yes");
        assertNotEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Rehearsal failed"), r.out());
        try (Stream<Path> s = Files.list(outside)) {
            assertEquals(0, s.count(), "nothing written through the link");
        }
    }

    @Test
    void aRowCountChangedBetweenRehearsalAndLiveRunAppliesNothing() throws Exception {
        Path ws = workspace();
        Path walt = ws.resolve("data/walt.db");
        CliRunner r = answeringAfter(() -> exec(walt, "DELETE FROM items WHERE id = 200"),
                "run", playbook(false).toString(), "-w", ws.toString(), "--rehearse");

        assertEquals(1, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("The live tiers changed since the rehearsal copied them; nothing was applied:"), r.out());
        assertTrue(r.out().contains("walt.items: recorded 200 rows, now 199"), r.out());
        assertEquals(0L, ((Number) value(walt, "SELECT count(*) FROM pragma_table_info('items') WHERE name = 'label'")).longValue());
        assertFalse(Files.exists(ws.resolve("plan.json")));
    }

    @Test
    void declinedOrUnansweredTheLiveTiersAreUntouched() throws Exception {
        Path ws = workspace();
        Map<String, String> before = files(ws);
        CliRunner no = CliRunner.runWithInput("n\n", "run", playbook(false).toString(), "-w", ws.toString(), "--rehearse");
        assertEquals(0, no.status(), no.out() + no.err());
        assertTrue(no.out().contains("Not applied: the live tiers were not touched."), no.out());
        assertEquals(before, files(ws));

        CliRunner none = CliRunner.runWithInput("", "run", playbook(false).toString(), "-w", ws.toString(), "--rehearse");
        assertEquals(2, none.status(), none.out() + none.err());
        assertTrue(none.err().contains("Add --yes to apply a passing rehearsal without asking."), none.err());
        assertEquals(1, none.err().strip().lines().count(), "one line: " + none.err());
        assertEquals(before, files(ws));
    }

    @Test
    void rehearseRefusesOptionsItCannotHonourInOneLine() throws Exception {
        Path ws = workspace();
        for (String other : List.of("--dry-run", "--no-journal", "--list")) {
            CliRunner r = CliRunner.run("run", playbook(false).toString(), "-w", ws.toString(), "--rehearse", other);
            assertEquals(2, r.status(), other + ": " + r.out() + r.err());
            assertTrue(r.err().contains(other), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        // A run's own checks come first, on the live tiers: a typo in -p copies nothing.
        CliRunner typo = CliRunner.run("run", playbook(false).toString(), "-w", ws.toString(), "--rehearse", "--yes", "-p", "stauts=x");
        assertEquals(2, typo.status(), typo.out() + typo.err());
        assertTrue(typo.err().contains("Unknown parameter 'stauts'"), typo.err());
        assertFalse(typo.out().contains("REHEARSAL"), "no copy was made: " + typo.out());
    }

    @Test
    void theDemoTourRehearsesThenApplies() throws Exception {
        Path ws = dir.resolve("demo");
        dev.sluice.demo.DemoWorkspace.create(ws);
        CliRunner r = CliRunner.run("run", "../playbooks/tour.groovy", "-w", ws.toString(), "--rehearse", "--yes");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Rehearsal passed (3 steps, "), r.out());
        assertTrue(r.out().contains("Applied as rehearsed: 3 step(s)"), r.out());
        assertEquals(0L, ((Number) value(ws.resolve("data/tier1.db"), "SELECT count(*) FROM conversations WHERE task_status IS NULL")).longValue());
    }

    /** A PostgreSQL tier: the rehearsal runs in a scratch database; a failure leaves the live schema as it was. */
    @Test
    void aPostgresTierIsRehearsedInAScratchDatabase() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = dir.resolve("pgws");
            Files.createDirectories(ws);
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE accounts (id integer PRIMARY KEY, owner text, balance numeric)");
                st.execute("INSERT INTO accounts SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE 'ówner ' || g END, g * 1.5 FROM generate_series(1, 50) g");
            }
            Workspace.write(ws, new Workspace.File(Map.of("wh", new TierSpec(pg.url(), Postgres.USER, null, null, false, false, false)), null, null));
            Path pb = dir.resolve("pg.groovy");
            Files.writeString(pb, """
                    playbook 'Flag the accounts', {
                        tiers 'wh'
                        step 'add a flag', {
                            wh.exec('ALTER TABLE accounts ADD COLUMN flagged boolean')
                            wh.exec('UPDATE accounts SET flagged = owner IS NULL')
                            expect('twelve unowned accounts flagged') { wh.count('accounts', 'flagged') == FLAGGED }
                        }
                    }
                    """);
            Files.writeString(pb, Files.readString(pb).replace("FLAGGED", "13"));
            CliRunner failing = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--rehearse", "--yes");
            assertNotEquals(0, failing.status(), failing.out() + failing.err());
            assertTrue(failing.out().contains("Rehearsal failed"), failing.out());
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + pg.schemaName() + "' AND column_name = 'flagged'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the live schema has no flag column");
            }

            Files.writeString(pb, Files.readString(pb).replace("== 13", "== 12"));
            CliRunner ok = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--rehearse", "--yes");
            assertEquals(0, ok.status(), ok.out() + ok.err());
            assertTrue(ok.out().contains("Applied as rehearsed: 1 step(s)"), ok.out());
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM accounts WHERE flagged")) {
                rs.next();
                assertEquals(12, rs.getInt(1));
            }
            try (Connection c = DriverManager.getConnection(Postgres.BASE_URL, Postgres.USER, "");
                 ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM pg_database WHERE datname LIKE 'sluice_sandbox_%'")) {
                rs.next();
                assertEquals(0, rs.getInt(1), "the scratch databases are dropped");
            }
        }
    }
}
