package dev.sluice.playbook;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.error.ErrorCode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 2: a playbook's and its steps' {@code requires} blocks are checked before anything runs, in every run
 * mode; a failing one lists every failure (one line each) and exits 18 with every tier file byte-identical.
 */
class PreconditionsTest {
    @TempDir
    Path tmp;

    /** A port nothing listens on (bound, then closed): a connect is refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private String failing(int port) {
        return """
                playbook 'Everything fails', {
                    tiers 'tier1', 'tier2', 'tier9'
                    param 'who'
                    requires {
                        table tier1, 'conversations'
                        columns tier1, 'items', 'id', 'name', 'tokens'
                        journalMode tier1, 'wal'
                        freeSpace bytes: 1_000_000_000_000_000, path: 'backups'
                        snapshotFree 'pre-migration'
                        service 'Neo4j', 'http://127.0.0.1:%d'
                        check('sources are read-only') { !tier2.writable() }
                    }
                    step 'write', {
                        requires {
                            table tier2, 'archive_tags'
                        }
                        tier1.exec("DELETE FROM items")
                        backfill tier1, "UPDATE items SET name = name WHERE id BETWEEN :lo AND :hi"
                    }
                }
                """.formatted(port);
    }

    private static final List<String> FAILURES = List.of(
            "playbook: tier 'tier9': found no tier 'tier9' in the workspace (it has tier1, tier2, tier3); wanted the tier.",
            "playbook: parameter 'who': found not given; wanted a value (it has no default). Give it with -p who=VALUE.",
            "playbook: table tier1.conversations: found no table 'conversations'",
            "playbook: columns tier1.items(id, name, tokens): found no tokens (it has id, name); wanted all of id, name, tokens.",
            "playbook: journalMode tier1: found delete; wanted wal.",
            "playbook: freeSpace at backups: found ",
            "playbook: snapshotFree 'pre-migration': found snapshot 'pre-migration' in ",
            "playbook: service Neo4j at http://127.0.0.1:",
            "playbook: check 'sources are read-only': found false; wanted true.",
            "step 1 'write': table tier2.archive_tags: found no table 'archive_tags'");

    /** Every tier file's SHA-256, and which -wal/-shm/-journal files exist beside them. */
    private static Map<String, String> state(PlaybookFixture f) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>(f.hashes());
        try (Stream<Path> s = Files.list(f.dir.resolve("data"))) {
            s.forEach(p -> out.putIfAbsent(p.getFileName().toString(), "present"));
        }
        return out;
    }

    private void assertRefusedWithEveryFailure(CliRunner r, PlaybookFixture f, Map<String, String> before) throws IOException {
        assertEquals(ErrorCode.PRECONDITION.exitStatus(), r.status(), r.out() + r.err());
        assertEquals(18, r.status());
        String err = r.err();
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.contains("10 of 10 preconditions failed; nothing ran"), err);
        for (String line : FAILURES) {
            assertEquals(1, err.lines().filter(l -> l.startsWith("  " + line)).count(), "missing or repeated: " + line + "\n" + err);
        }
        assertEquals(11, err.strip().lines().count(), "a first line, then one line per failure:\n" + err);
        assertFalse(err.contains("\tat "), "no stack trace:\n" + err);
        assertEquals(before, state(f), "every tier file byte-identical, no -wal/-shm left");
        for (String t : List.of("tier1", "tier2", "tier3")) {
            assertEquals(0L, ((Number) f.value(t, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'sluice%'")).longValue(),
                    "no Sluice table in " + t);
        }
        assertFalse(Files.exists(f.dir.resolve(".sluice")) && Files.list(f.dir.resolve(".sluice")).findAny().isPresent(), "no intent file");
    }

    private PlaybookFixture fixtureWithSnapshot() throws IOException {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Files.createDirectories(f.dir.resolve("snapshots").resolve("pre-migration"));
        return f;
    }

    @Test
    void yesRunListsEveryFailureExits18AndWritesNothing() throws IOException {
        PlaybookFixture f = fixtureWithSnapshot();
        Path pb = f.playbook("fails.groovy", failing(closedPort()));
        Map<String, String> before = state(f);
        assertRefusedWithEveryFailure(CliRunner.run(f.args(pb, "--yes")), f, before);
    }

    @Test
    void dryRunAndStepModeAreRefusedTheSameWay() throws IOException {
        PlaybookFixture f = fixtureWithSnapshot();
        Path pb = f.playbook("fails.groovy", failing(closedPort()));
        Map<String, String> before = state(f);
        assertRefusedWithEveryFailure(CliRunner.run(f.args(pb, "--dry-run")), f, before);
        assertRefusedWithEveryFailure(CliRunner.runWithInput("c\nc\n", f.args(pb)), f, before);
    }

    @Test
    void listShowsEveryPreconditionWithItsOutcomeAndRunsNothing() throws IOException {
        PlaybookFixture f = fixtureWithSnapshot();
        Path pb = f.playbook("fails.groovy", failing(closedPort()));
        Map<String, String> before = state(f);
        CliRunner r = CliRunner.run(f.args(pb, "--list"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Preconditions: 10 of 10 failed."), r.out());
        assertTrue(r.out().contains("  ✗ playbook: journalMode tier1: found delete; wanted wal."), r.out());
        assertTrue(r.out().contains("  ✗ step 1 'write': table tier2.archive_tags"), r.out());
        assertEquals(before, state(f));
    }

    @Test
    void holdingPreconditionsAreShownAndTheRunGoesOn() throws IOException {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("holds.groovy", """
                requires {
                    table 'tier1', 'items'
                }
                playbook 'Holds', {
                    tiers 'tier1', 'tier2'
                    param 'snap', 'before'
                    requires {
                        columns tier1, 'items', 'id', 'name'
                        journalMode tier2, 'WAL'
                        freeSpace factor: 2, path: 'backups'
                        snapshotFree snap
                        check('tier2 is writable') { tier2.writable() }
                    }
                    step 'write', {
                        requires { table tier1, 'items' }
                        tier1.exec("DELETE FROM items WHERE id = 1")
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Preconditions: 7 hold."), r.out());
        assertTrue(r.out().contains("  ✓ playbook: journalMode tier2: holds (wal)"), r.out());
        assertTrue(r.out().contains("  ✓ playbook: freeSpace at backups: holds ("), r.out());
        assertEquals(2, f.count("tier1", "items"));
    }

    @Test
    void laterBlocksWaitForTheirStepAndOthersAreCheckedUpFront() throws IOException {
        PlaybookFixture f = new PlaybookFixture(tmp);
        String text = """
                playbook 'Creates then uses', {
                    tiers 'tier1'
                    step 'create', {
                        tier1.exec("CREATE TABLE tags (id INTEGER PRIMARY KEY, tag TEXT)")
                    }
                    step 'use', {
                        requires %s{ table tier1, 'tags' }
                        tier1.exec("INSERT INTO tags (tag) VALUES ('x')")
                    }
                }
                """;
        Path upFront = f.playbook("upfront.groovy", text.formatted(""));
        Map<String, String> before = f.hashes();
        CliRunner refused = CliRunner.run(f.args(upFront, "--yes"));
        assertEquals(18, refused.status(), refused.out() + refused.err());
        assertTrue(refused.err().contains("step 2 'use': table tier1.tags: found no table 'tags'"), refused.err());
        assertEquals(before, f.hashes());

        Path later = f.playbook("later.groovy", text.formatted("later: true, "));
        CliRunner dry = CliRunner.run(f.args(later, "--dry-run"));
        assertEquals(0, dry.status(), "the dry run's own uncommitted table satisfies it: " + dry.out() + dry.err());
        assertTrue(dry.out().contains("  … step 2 'use': table tier1.tags: checked right before the step runs (later)"), dry.out());
        assertEquals(before, f.hashes());
        CliRunner r = CliRunner.run(f.args(later, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(1, f.count("tier1", "tags"));
    }

    @Test
    void stepPreconditionsAreCheckedAgainRightBeforeTheStep() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("again.groovy", """
                playbook 'Drops what the next step needs', {
                    tiers 'tier1'
                    step 'drop', {
                        tier1.exec("DROP TABLE items")
                    }
                    step 'use', {
                        requires { table tier1, 'items' }
                        tier1.exec("INSERT INTO items (name) VALUES ('x')")
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(18, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Step 'use' did not start: 1 precondition failed:"), r.out());
        assertTrue(r.out().contains("  step 2 'use': table tier1.items: found no table 'items'"), r.out());
        assertEquals(1L, f.historyRows("tier1"), "step 1 committed with its history row, step 2 none");
    }

    @Test
    void addingRequiresToAnAppliedStepKeepsItApplied() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("keep.groovy", """
                playbook 'Keep', {
                    tiers 'tier1'
                    step 'write', {
                        tier1.exec("DELETE FROM items WHERE id = 1")
                    }
                }
                """);
        assertEquals(0, CliRunner.run(f.args(pb, "--yes")).status());
        f.playbook("keep.groovy", """
                playbook 'Keep', {
                    tiers 'tier1'
                    step 'write', {
                        requires { table tier1, 'items' }
                        tier1.exec("DELETE FROM items WHERE id = 1")
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("already applied"), r.out());
    }

    @Test
    void requiresNestedInAnIfIsRefusedWithItsPosition() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("nested.groovy", """
                playbook 'Nested', {
                    tiers 'tier1'
                    step 'write', {
                        if (true) {
                            requires { table tier1, 'items' }
                        }
                    }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.out().contains("nested.groovy:5:") && r.out().contains("'requires' must be a statement directly in the step body"),
                r.out());
    }

    @Test
    void postgresTierFailuresAreListedAndNothingIsWrittenThere() throws Exception {
        try (dev.sluice.testing.Postgres pg = dev.sluice.testing.Postgres.schema()) {
            try (java.sql.Connection c = pg.connect(); java.sql.Statement st = c.createStatement()) {
                st.execute("CREATE TABLE captures (id BIGINT PRIMARY KEY, body TEXT); INSERT INTO captures VALUES (1, 'a'), (2, 'b')");
            }
            Map<String, dev.sluice.workspace.TierSpec> specs = new java.util.LinkedHashMap<>();
            specs.put("tier1", dev.sluice.workspace.TierSpec.of("data/tier1.db"));
            specs.put("warehouse", dev.sluice.workspace.TierSpec.create(pg.url(), null, dev.sluice.testing.Postgres.USER, null, Map.of(),
                    false, false, false));
            dev.sluice.workspace.Workspace.write(tmp, new dev.sluice.workspace.Workspace.File(specs, "snapshots", "sessions"));
            dev.sluice.tier.Tier.open(dev.sluice.workspace.Workspace.load(tmp).tier("tier1"), true).close();
            Path pb = tmp.resolve("pg.groovy");
            Files.writeString(pb, """
                    playbook 'Into PostgreSQL', {
                        tiers 'tier1', 'warehouse'
                        requires {
                            table warehouse, 'captures'
                            columns warehouse, 'captures', 'id', 'body', 'created_at'
                            journalMode warehouse, 'wal'
                        }
                        step 'write', {
                            requires { table warehouse, 'tags' }
                            warehouse.exec("DELETE FROM captures")
                        }
                    }
                    """);
            CliRunner r = CliRunner.run("run", pb.toString(), "-w", tmp.toString(), "--yes");
            assertEquals(18, r.status(), r.out() + r.err());
            assertTrue(r.err().contains("3 of 4 preconditions failed"), r.err());
            assertTrue(r.err().contains("  playbook: columns warehouse.captures(id, body, created_at): found no created_at (it has id, body)"), r.err());
            assertTrue(r.err().contains("  playbook: journalMode warehouse: found a PostgreSQL tier (journal modes are SQLite's)"), r.err());
            assertTrue(r.err().contains("  step 1 'write': table warehouse.tags: found no table 'tags' (warehouse has captures)"), r.err());
            try (java.sql.Connection c = pg.connect(); java.sql.Statement st = c.createStatement();
                 java.sql.ResultSet rs = st.executeQuery("SELECT (SELECT count(*) FROM captures), (SELECT count(*) FROM "
                         + "information_schema.tables WHERE table_schema = '" + pg.schemaName() + "' AND table_name LIKE 'sluice%')")) {
                rs.next();
                assertEquals(2, rs.getLong(1));
                assertEquals(0, rs.getLong(2), "no lock, no history table in the PostgreSQL schema");
            }
        }
    }

    @Test
    void parenthesisedStepSyntaxUnknownNamesAndParametersInRequires() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("paren.groovy", """
                playbook 'Paren', {
                    tiers 'tier1'
                    param 'snap', 'taken'
                    requires { snapshotFree snap }
                    step('one') {
                        requires(later: true) { table tier1, 'made_later' }
                        requires { table tier7, 'x' }
                        tier1.exec("DELETE FROM items")
                    }
                }
                """);
        Map<String, String> before = f.hashes();
        CliRunner r = CliRunner.run(f.args(pb, "--yes", "-p", "snap=fresh"));
        assertEquals(18, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("1 of 2 preconditions failed"), r.err());
        assertTrue(r.err().contains("  step 1 'one': requires block at ") && r.err().contains("paren.groovy:7: found an error: ")
                && r.err().contains("unknown name 'tier7'"), r.err());
        assertEquals(before, f.hashes());
        assertEquals(3, f.count("tier1", "items"));
    }

    @Test
    void preconditionKeywordOutsideRequiresIsAMisuse() {
        PlaybookFixture f = new PlaybookFixture(tmp);
        Path pb = f.playbook("misuse.groovy", """
                playbook 'Misuse', {
                    tiers 'tier1'
                    snapshotFree 'x'
                    step 'write', { }
                }
                """);
        CliRunner r = CliRunner.run(f.args(pb, "--yes"));
        assertEquals(ErrorCode.PLAYBOOK.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.err().contains("misuse.groovy:3:5: 'snapshotFree' must be inside a requires block"), r.err());
    }
}
