package dev.sluice.playbook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14, point 5: every bad input is one true line (what, where, what to do) and changes nothing. Through `sluice run`. */
class BadInputTest {
    static final String ONE_STEP = """
            playbook 'One step', {
                tiers 'tier1'
                step 'one', {
                    tier1.exec("INSERT INTO items (name) VALUES ('x')")
                }
            }
            """;

    /** The rows of items as one value: what "data left as it was" compares (a run's lock rows change the file's bytes). */
    static final String ITEMS = "SELECT group_concat(id || '=' || name, ',') FROM (SELECT * FROM items ORDER BY id)";

    @TempDir
    Path tmp;

    /** The one line a failed run printed (asserting there is exactly one). */
    static String oneLine(CliRunner r) {
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("error: "), err);
        return err.substring("error: ".length());
    }

    @Test
    void anyFileNameWorksAsAPlaybookIssue14() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        for (String name : new String[]{"long", "double", "class", "1st-step"}) {
            Path pb = f.playbook(name + ".groovy", ONE_STEP);
            CliRunner list = CliRunner.run(f.args(pb, "--list"));
            assertEquals(0, list.status(), name + ": " + list.err());
            assertTrue(list.lists(1, "pending", "one"), name + ": " + list.out());
        }
        CliRunner run = CliRunner.run(f.args(tmp.resolve("playbooks/long.groovy"), "--yes"));
        assertEquals(0, run.status(), run.err());
        assertEquals(4L, f.count("tier1", "items"));
    }

    @Test
    void aPlaybookPathThatIsADirectoryIsNamedAsOneIssue14() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        f.playbook("tour.groovy", ONE_STEP);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(tmp.resolve("playbooks"), "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status());
        assertEquals("Playbook " + tmp.resolve("playbooks") + " is a directory, not a playbook file. Give the path of a .groovy file in it, e.g. "
                + tmp.resolve("playbooks").resolve("tour.groovy") + ".", oneLine(r));
        assertEquals(before, f.hashes());
    }

    @Test
    void bothSluiceJsonAndSluiceYamlAreRefusedNamingBothIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("one.groovy", ONE_STEP);
        Files.writeString(tmp.resolve("sluice.yaml"), "tiers:\n  tier1: data/other.db\n");
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), r.status());
        Path abs = tmp.toAbsolutePath().normalize();
        assertEquals("Workspace " + abs + " has both sluice.json and sluice.yaml; Sluice would have to ignore one. Keep one of them and "
                + "delete or rename the other.", oneLine(r));
        assertEquals(before, f.hashes());
        assertTrue(Files.notExists(tmp.resolve("data/other.db")));
    }

    static String oneStep(String body) {
        return "playbook 'T', {\n  tiers 'tier1'\n  step 'one', {\n    " + body + "\n  }\n}\n";
    }

    /** The failed step's one line in the run's output (after its file:line:column). */
    static String stepError(CliRunner r) {
        java.util.regex.Pattern at = java.util.regex.Pattern.compile("^  \\S+\\.groovy:4:\\d+: (.*)$");
        return r.out().lines().map(at::matcher).filter(java.util.regex.Matcher::matches).findFirst()
                .map(m -> m.group(1)).orElseThrow(() -> new AssertionError(r.out() + r.err()));
    }

    @Test
    void aDuplicateKeyIsNamedAsADataConflictIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Object before = f.value("tier1", ITEMS);
        CliRunner pk = CliRunner.run(f.args(f.playbook("pk.groovy", oneStep("tier1.exec(\"INSERT INTO items (id, name) VALUES (1, 'dup')\")")), "--yes"));
        assertEquals(ErrorCode.SQL.exitStatus(), pk.status(), pk.out());
        assertEquals("Tier 'tier1': duplicate key in the primary key items.id (UNIQUE constraint failed: items.id): a data conflict, not a "
                + "mistake in the statement, in: INSERT INTO items (id, name) VALUES (1, 'dup'). Nothing from this statement was written; "
                + "remove or update the conflicting row, or skip existing keys (INSERT OR IGNORE, ON CONFLICT DO NOTHING).", stepError(pk));
        assertEquals(before, f.value("tier1", ITEMS));
        assertEquals(0L, f.historyRows("tier1"));
        try (dev.sluice.tier.Tier t = dev.sluice.tier.Tier.open(f.ws.tier("tier1"))) {
            t.exec("CREATE UNIQUE INDEX items_name ON items(name)");
        }
        CliRunner unique = CliRunner.run(f.args(f.playbook("unique.groovy", oneStep("tier1.exec(\"INSERT INTO items (name) VALUES ('a')\")")), "--yes"));
        assertEquals(ErrorCode.SQL.exitStatus(), unique.status(), unique.out());
        assertTrue(stepError(unique).startsWith("Tier 'tier1': duplicate key in the unique key items.name (UNIQUE constraint failed: items.name): a data conflict"),
                unique.out());
        assertEquals(before, f.value("tier1", ITEMS));
    }

    @Test
    void aDuplicateKeyOnPostgresqlNamesTheConstraintAndTableIssue14() throws Exception {
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema();
             dev.sluice.tier.Tier w = dev.sluice.tier.Tier.open(new dev.sluice.workspace.TierConfig("warehouse", pg.url(),
                     dev.sluice.testing.Postgres.USER, null, Map.of(), false, false, false, null), true)) {
            w.exec("CREATE TABLE items (id bigint PRIMARY KEY, name text)");
            w.exec("INSERT INTO items VALUES (1, 'a')");
            dev.sluice.error.SluiceException e = org.junit.jupiter.api.Assertions.assertThrows(dev.sluice.error.SluiceException.class,
                    () -> w.exec("INSERT INTO items VALUES (1, 'b')"));
            assertEquals(ErrorCode.SQL, e.code());
            assertEquals("Tier 'warehouse': duplicate key in unique constraint items_pkey on table items (Key (id)=(1) already exists): "
                    + "a data conflict, not a mistake in the statement, in: INSERT INTO items VALUES (1, 'b'). Nothing from this statement "
                    + "was written; remove or update the conflicting row, or skip existing keys (INSERT OR IGNORE, ON CONFLICT DO NOTHING).",
                    e.getMessage());
            assertEquals(1L, ((Number) w.query("SELECT count(*) FROM items").value()).longValue());
        }
    }

    @Test
    void aDatabaseLockedByAnotherProcessSaysSoNotCheckPermissionsIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("one.groovy", ONE_STEP);
        Path json = tmp.resolve("sluice.json");
        Files.writeString(json, Files.readString(json).replace("\"data/tier1.db\"",
                "{\"path\": \"data/tier1.db\", \"pragmas\": {\"busy_timeout\": \"200\"}}"));
        try (java.sql.Connection holder = java.sql.DriverManager.getConnection("jdbc:sqlite:" + f.file("tier1"));
             java.sql.Statement st = holder.createStatement()) {
            st.execute("BEGIN EXCLUSIVE");
            st.execute("INSERT INTO items (name) VALUES ('held')");
            CliRunner r = CliRunner.run(f.args(pb, "--yes"));
            assertEquals(ErrorCode.LOCKED.exitStatus(), r.status(), r.err());
            assertEquals("Tier 'tier1': " + f.file("tier1").toAbsolutePath().normalize() + " is locked by another process or connection "
                    + "(database is locked), so it cannot be read now. Find the holder (fuser " + f.file("tier1").toAbsolutePath().normalize()
                    + ") and let it finish, then try again.", oneLine(r));
            st.execute("ROLLBACK");
        }
        assertEquals(3L, f.count("tier1", "items"));
        assertEquals(0L, f.historyRows("tier1"));
    }

    @Test
    void aFullDatabaseIsNamedAsDiskFullIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        long pages = ((Number) f.value("tier1", "PRAGMA page_count")).longValue();
        Path json = tmp.resolve("sluice.json");
        // max_page_count makes SQLite answer SQLITE_FULL exactly as a full disk does, without filling one.
        Files.writeString(json, Files.readString(json).replace("\"data/tier1.db\"",
                "{\"path\": \"data/tier1.db\", \"pragmas\": {\"max_page_count\": \"" + (pages + 6) + "\"}}"));
        Object before = f.value("tier1", ITEMS);
        CliRunner r = CliRunner.run(f.args(f.playbook("full.groovy", oneStep("tier1.exec(\"INSERT INTO items (name) SELECT hex(randomblob(3000)) "
                + "FROM items, items b, items c\")")), "--yes"));
        assertEquals(ErrorCode.IO.exitStatus(), r.status(), r.out());
        assertEquals("Tier 'tier1': disk full: the disk holding " + f.file("tier1").toAbsolutePath().normalize() + " is full, or the file reached "
                + "its max_page_count (database or disk is full) while running: INSERT INTO items (name) SELECT hex(randomblob(3000)) FROM items, "
                + "items b, items c. Nothing was committed; free space and run it again.", stepError(r));
        assertEquals(before, f.value("tier1", ITEMS));
        assertEquals(0L, f.historyRows("tier1"));
    }

    @Test
    void aReadOnlyFolderIsNamedAsReadOnlyNotAsABadStatementIssue14() throws Exception {
        var ws = dev.sluice.testing.TestWorkspaces.sqlite(tmp, "tier1");
        try (dev.sluice.tier.Tier t = dev.sluice.tier.Tier.open(ws.tier("tier1"), true)) {
            t.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO items (name) VALUES ('a');");
        }
        Path data = tmp.resolve("data");
        Path file = data.resolve("tier1.db").toAbsolutePath().normalize();
        Path pb = tmp.resolve("one.groovy");
        Files.writeString(pb, ONE_STEP);
        String before = dev.sluice.testing.TestWorkspaces.fileHash(file);
        ReadOnlyFolder.make(data);
        CliRunner r;
        try {
            r = CliRunner.run("run", pb.toString(), "-w=" + tmp, "--yes", "--no-journal");
        } finally {
            ReadOnlyFolder.undo(data);
        }
        assertEquals(ErrorCode.IO.exitStatus(), r.status(), r.out() + r.err());
        String line = r.err().isBlank() ? stepError(r) : oneLine(r);
        assertTrue(line.startsWith("Tier 'tier1': cannot write " + file + ": the file or its folder " + data.toAbsolutePath().normalize()
                + " is read-only ("), line);
        assertTrue(line.endsWith(". Make the folder and the file writable for this user, or mark the tier \"readOnly\": true in sluice.json to "
                + "only read it."), line);
        assertEquals(before, dev.sluice.testing.TestWorkspaces.fileHash(file));
    }

    @Test
    void aGroovySyntaxErrorNamesItsOwnLineAndColumnIssue14() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path missingParen = f.playbook("paren.groovy", """
                playbook 'T', {
                    tiers 'tier1'
                    step 'one', {
                        tier1.exec("UPDATE items SET name = 'x'"
                    }
                    step 'two', {
                        expect('three') { tier1.count('items') == 3 }
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(missingParen, "--list"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status());
        assertEquals(missingParen + ":4:19: Unexpected input: '('. Fix the Groovy syntax there.", oneLine(r));
        Path badExpect = f.playbook("expect.groovy", """
                // a comment first
                playbook 'T', {
                    tiers 'tier1'
                    step 'one', {
                        tier1.exec("UPDATE items SET name = 'x'")
                    }
                    step 'two', {
                        expect('three') { tier1.count('items') == }
                    }
                }
                """);
        r = CliRunner.run(f.args(badExpect, "--list"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status());
        assertTrue(oneLine(r).startsWith(badExpect + ":8:"), r.err());
        Path unclosed = f.playbook("unclosed.groovy", "playbook 'T', {\n  tiers 'tier1'\n  step 'one', {\n    tier1.exec('select 1')\n  }\n");
        r = CliRunner.run(f.args(unclosed, "--list"));
        assertEquals(unclosed + ":1:15: this '{' is never closed: a '}' is missing below it. Fix the Groovy syntax there.", oneLine(r));
    }

    @Test
    void codeOutsideTheStepsDoesNotRunUnderListOrDryRunIssue14() throws Exception {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path top = tmp.resolve("top-level.txt");
        Path inBlock = tmp.resolve("in-block.txt");
        Path pb = f.playbook("side.groovy", """
                java.nio.file.Files.writeString(java.nio.file.Path.of('%s'), 'top level ran')
                def name = 'from the top'
                @groovy.transform.Field static final String SUFFIX = String.valueOf('!')
                playbook 'Side effects', {
                    tiers 'tier1'
                    java.nio.file.Files.writeString(java.nio.file.Path.of('%s'), 'block ran')
                    def extra = ['two', 'three']
                    step 'one', {
                        tier1.exec("INSERT INTO items (name) VALUES (?)", name + SUFFIX)
                    }
                    for (String n : extra) {
                        println 'declaring ' + n
                        step "step ${n}", {
                            tier1.exec("INSERT INTO items (name) VALUES (?)", n)
                        }
                    }
                }
                """.formatted(top, inBlock));
        Object before = f.value("tier1", ITEMS);
        CliRunner list = CliRunner.run(f.args(pb, "--list"));
        assertEquals(0, list.status(), list.err());
        assertTrue(list.lists(1, "pending", "one") && list.lists(3, "pending", "step three"), list.out());
        assertTrue(!list.out().contains("declaring"), list.out());
        assertTrue(Files.notExists(top) && Files.notExists(inBlock), "--list ran code outside the steps");
        CliRunner dry = CliRunner.run(f.args(pb, "--dry-run"));
        assertEquals(0, dry.status(), dry.out() + dry.err());
        assertTrue(Files.notExists(top) && Files.notExists(inBlock), "--dry-run ran code outside the steps");
        assertEquals(before, f.value("tier1", ITEMS));
        CliRunner yes = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, yes.status(), yes.out() + yes.err());
        assertTrue(Files.exists(top) && Files.exists(inBlock), "a real run runs the top level as written");
        assertEquals(6L, f.count("tier1", "items"));
    }
}
