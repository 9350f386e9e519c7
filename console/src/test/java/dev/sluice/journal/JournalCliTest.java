package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.error.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Record a console session and a playbook run on one copy of the demo, then replay and export them on others. */
class JournalCliTest {
    private static final String SESSION = String.join("\n",
            "tier1.count(\"messages\")",
            "tier1.checksum(\"messages\")",
            "tier1.begin()",
            "tier1.exec(\"UPDATE conversations SET title = upper(title) WHERE id <= 10\")",
            "tier1.count(\"conversations\", \"title = upper(title)\")",
            "tier1.commit()",
            "tier2.counts()",
            "/groovy tier3.count(\"archives\")",
            "");

    @TempDir
    static Path shared;
    private static Path pristine;

    @TempDir
    Path dir;

    @BeforeEach
    void demo() throws IOException {
        synchronized (JournalCliTest.class) {
            if (pristine == null) {
                pristine = shared.resolve("pristine");
                DemoWorkspace.create(pristine);
            }
        }
    }

    private Path copy(String name) throws IOException {
        Path target = dir.resolve(name);
        try (Stream<Path> s = Files.walk(pristine)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path to = target.resolve(pristine.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return target;
    }

    private static void sql(Path ws, String tier, String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + tier + ".db")); Statement st = c.createStatement()) {
            st.executeUpdate(statement);
        }
    }

    private static final String SECRET_LINE =
            "String url = \"jdbc:postgresql://ops:PLANTED-SECRET-42@db.internal/prod?password=PLANTED-SECRET-42\"\n";

    private Path recordSession(Path ws) throws IOException {
        return recordSession(ws, SESSION);
    }

    private Path recordSession(Path ws, String session) throws IOException {
        Path script = dir.resolve("session.jsh");
        Files.writeString(script, session);
        CliRunner r = CliRunner.run("console", "-w", ws.toString(), "-f", script.toString());
        assertEquals(0, r.status(), r.err());
        return onlyJournal(ws);
    }

    private static Path onlyJournal(Path ws) throws IOException {
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            List<Path> all = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0);
        }
    }

    @Test
    void recordedConsoleSessionReplaysCleanlyOnAFreshCopy() throws Exception {
        Path journal = recordSession(copy("staging"));
        Path prod = copy("prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Replay matched: 8 input(s), 6 observation(s) as recorded."), r.out());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + prod.resolve("data/tier1.db")); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM conversations WHERE title = upper(title)")) {
            rs.next();
            assertEquals(10, rs.getInt(1), "the replay committed the recorded UPDATE");
        }
    }

    @Test
    void replayStopsAtTheFirstObservationThatSeesAChangedAddedOrDeletedRow() throws Exception {
        Path journal = recordSession(copy("staging"));

        Path changed = copy("changed");
        sql(changed, "tier1", "UPDATE messages SET content = 'tampered' WHERE id = 777");
        CliRunner c = CliRunner.run("replay", "-w", changed.toString(), journal.toString());
        assertEquals(1, c.status(), c.out());
        assertTrue(c.out().contains("tier1.checksum(\"messages\") differs"), c.out());
        assertTrue(c.out().contains("recorded: 24,000 rows sha256:") && c.out().contains("Same row count"), c.out());

        Path added = copy("added");
        sql(added, "tier1", "INSERT INTO messages VALUES (999999, 1, 'user', 'extra', NULL, '2025-01-01 00:00:00')");
        CliRunner a = CliRunner.run("replay", "-w", added.toString(), "--yes", journal.toString());
        assertEquals(1, a.status(), a.out());
        assertTrue(a.out().contains("The workspace differs from the recording's"), a.out());
        assertTrue(a.out().contains("tier1.count(\"messages\") differs") && a.out().contains("recorded: 24,000") && a.out().contains("now:      24,001"), a.out());

        Path deleted = copy("deleted");
        sql(deleted, "tier1", "DELETE FROM messages WHERE id = 5");
        CliRunner d = CliRunner.run("replay", "-w", deleted.toString(), deleted.toString() + "/../staging/sessions/" + journal.getFileName());
        assertEquals(1, d.status(), d.out());
        assertTrue(d.out().contains("tier1.messages: recorded 24,000 rows, now 23,999"), d.out());
        assertTrue(d.out().contains("Not replayed"), "without --yes a different fingerprint stops before anything runs: " + d.out());
    }

    @Test
    void editedOrTruncatedJournalIsRefusedAndNothingRuns() throws Exception {
        Path journal = recordSession(copy("staging"));
        Path prod = copy("prod");
        List<String> lines = Files.readAllLines(journal);
        Path edited = dir.resolve("edited.jsonl");
        Files.write(edited, lines.stream().map(l -> l.replace("UPDATE conversations SET title = upper(title)", "DELETE FROM conversations")).toList());
        CliRunner e = CliRunner.run("replay", "-w", prod.toString(), edited.toString());
        assertEquals(ErrorCode.JOURNAL.exitStatus(), e.status());
        assertTrue(e.err().contains("does not chain to the line before"), e.err());
        assertEquals(1, e.err().strip().lines().count(), e.err());

        Path cut = dir.resolve("cut.jsonl");
        Files.write(cut, lines.subList(0, lines.size() - 3));
        CliRunner t = CliRunner.run("replay", "-w", prod.toString(), cut.toString());
        assertEquals(ErrorCode.JOURNAL.exitStatus(), t.status());
        assertTrue(t.err().contains("without an end event"), t.err());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + prod.resolve("data/tier1.db")); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM conversations WHERE title = upper(title)")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "nothing ran");
        }
    }

    @Test
    void plantedPasswordNeverReachesTheJournalAndItsInputIsNotReplayedMasked() throws Exception {
        Path staging = copy("staging");
        Path journal = recordSession(staging, SECRET_LINE + SESSION);
        String text = Files.readString(journal, StandardCharsets.UTF_8);
        assertFalse(text.contains("PLANTED-SECRET-42"), text);
        assertTrue(text.contains("ops:****@db.internal"), text);

        CliRunner replay = CliRunner.run("replay", "-w", copy("prod").toString(), journal.toString());
        assertEquals(1, replay.status(), replay.out());
        assertTrue(replay.out().contains("this input was redacted when it was recorded"), replay.out());
    }

    /** Regression (journal review): --until bounds a run's replay too; the steps after it are not committed. */
    @Test
    void runReplayStopsAtUntil() throws Exception {
        Path tour = Path.of("..", "playbooks", "tour.groovy").toAbsolutePath().normalize();
        Path staging = copy("staging");
        assertEquals(0, CliRunner.run("run", tour.toString(), "-w", staging.toString(), "--yes").status());
        Path journal = onlyJournal(staging);
        long firstDecision = Files.readAllLines(journal).stream().filter(l -> l.contains("\"type\":\"decision\""))
                .map(l -> Long.parseLong(l.replaceAll(".*\"seq\":(\\d+).*", "$1"))).findFirst().orElseThrow();
        Path prod = copy("prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), "--until", String.valueOf(firstDecision), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        CliRunner list = CliRunner.run("run", tour.toString(), "-w", prod.toString(), "--list");
        assertTrue(list.lists(1, "applied", "add a task_status column"), list.out());
        assertTrue(list.lists(2, "pending", "backfill task_status"), list.out());
    }

    /** Regression (journal review): inspecting a step is journaled, and not held against the step at replay. */
    @Test
    void inspectingDuringARunIsJournaledAndTheRunStillReplays() throws Exception {
        Path tour = Path.of("..", "playbooks", "tour.groovy").toAbsolutePath().normalize();
        Path staging = copy("staging");
        CliRunner run = CliRunner.runWithInput("i\ntier1.count(\"messages\")\n/exit\nc\nc\nc\n", "run", tour.toString(), "-w", staging.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        Path journal = onlyJournal(staging);
        assertTrue(Files.readString(journal).contains("\"kind\":\"java\",\"text\":\"tier1.count(\\\"messages\\\")"), Files.readString(journal));
        CliRunner r = CliRunner.run("replay", "-w", copy("prod").toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
    }

    /** Regression (journal review): a run's step selection is part of what is replayed; a dry run is refused. */
    @Test
    void selectionIsReplayedAndADryRunIsRefused() throws Exception {
        Path tour = Path.of("..", "playbooks", "tour.groovy").toAbsolutePath().normalize();
        Path staging = copy("staging");
        assertEquals(0, CliRunner.run("run", tour.toString(), "-w", staging.toString(), "--yes", "--stop-after", "add a task_status column").status());
        Path prod = copy("prod");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), onlyJournal(staging).toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(CliRunner.run("run", tour.toString(), "-w", prod.toString(), "--list").lists(2, "pending", "backfill task_status"));

        Path dry = copy("dry");
        assertEquals(0, CliRunner.run("run", tour.toString(), "-w", dry.toString(), "--dry-run").status());
        CliRunner d = CliRunner.run("replay", "-w", copy("prod2").toString(), onlyJournal(dry).toString());
        assertEquals(ErrorCode.JOURNAL.exitStatus(), d.status(), d.out() + d.err());
        assertTrue(d.err().contains("records a dry run"), d.err());
    }

    /** Regression (journal review): a recorded failure that succeeds today must not read as a match. */
    @Test
    void anInputThatFailedInTheRecordingButSucceedsTodayIsADivergence() throws Exception {
        Path staging = copy("staging");
        Path script = dir.resolve("failing.jsh");
        Files.writeString(script, "tier1.count(\"messages\")\ntier1.exec(\"INSERT INTO scratch VALUES (1)\")\n");
        assertEquals(1, CliRunner.run("console", "-w", staging.toString(), "-f", script.toString(), "--keep-going").status());
        Path journal = onlyJournal(staging);
        Path prod = copy("prod");
        sql(prod, "tier1", "CREATE TABLE scratch (v INTEGER)");
        CliRunner r = CliRunner.run("replay", "-w", prod.toString(), "--yes", journal.toString());
        assertEquals(1, r.status(), r.out());
        assertTrue(r.out().contains("the input failed in the recording but succeeds today"), r.out());
    }

    /** Regression (journal review): a diff's timings must not make every replay diverge. */
    @Test
    void aSessionThatDiffsReplaysCleanly() throws Exception {
        Path journal = recordSession(copy("staging"), "diff(tier1.table(\"conversations\"), tier1.table(\"conversations\"))\n");
        CliRunner r = CliRunner.run("replay", "-w", copy("prod").toString(), journal.toString());
        assertEquals(0, r.status(), r.out() + r.err());
    }

    /** Regression (journal review): export must survive $ in strings and calls that have no expectation form. */
    @Test
    void exportKeepsDollarsLiteralAndKeepsACopysResultAsAnExpectation() throws Exception {
        Path journal = recordSession(copy("staging"), String.join("\n",
                "tier1.begin()",
                "tier1.exec(\"UPDATE conversations SET title = 'costs $5' WHERE id = 1\")",
                "copy(tier1, \"conversations\", tier3, \"conv_copy\")",
                "tier1.commit()", ""));
        Path playbook = dir.resolve("exported.groovy");
        CliRunner x = CliRunner.run("export", journal.toString(), "--to", "playbook", "-o", playbook.toString());
        assertEquals(0, x.status(), x.err());
        String g = Files.readString(playbook);
        assertTrue(g.contains("'costs \\$5'") || g.contains("costs \\$5"), g);
        assertTrue(g.contains("def recorded") && g.contains(".verified() == true"), "the copy's recorded result is an expectation: " + g);
        Path original = copy("original");
        CliRunner ok = CliRunner.run("run", playbook.toString(), "-w", original.toString(), "--yes");
        assertEquals(0, ok.status(), ok.out() + ok.err());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + original.resolve("data/tier1.db")); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT title FROM conversations WHERE id = 1")) {
            rs.next();
            assertEquals("costs $5", rs.getString(1));
        }
    }

    @Test
    void exportedPlaybookRunsGreenOnTheOriginalAndFailsOnAMutatedCopy() throws Exception {
        Path journal = recordSession(copy("staging"));
        Path playbook = dir.resolve("rehearsal.groovy");
        CliRunner x = CliRunner.run("export", journal.toString(), "--to", "playbook", "-o", playbook.toString());
        assertEquals(0, x.status(), x.err());

        Path original = copy("original");
        CliRunner ok = CliRunner.run("run", playbook.toString(), "-w", original.toString(), "--yes");
        assertEquals(0, ok.status(), ok.out() + ok.err());
        // The two autocommitted observations, the begin…commit transaction, and the inputs after it: three steps.
        assertTrue(ok.out().contains("3 committed"), ok.out());

        Path mutated = copy("mutated");
        sql(mutated, "tier1", "UPDATE messages SET content = 'tampered' WHERE id = 777");
        String before = dev.sluice.testing.TestWorkspaces.fileHash(mutated.resolve("data/tier1.db"));
        CliRunner bad = CliRunner.run("run", playbook.toString(), "-w", mutated.toString(), "--yes");
        assertEquals(11, bad.status(), bad.out());
        assertTrue(bad.out().contains("✗ expect 'tier1.checksum(\"messages\") as recorded"), bad.out());
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + mutated.resolve("data/tier1.db")); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT count(*) FROM conversations WHERE title = upper(title)")) {
            rs.next();
            assertEquals(0, rs.getInt(1), "the failing step was rolled back (" + before.substring(0, 8) + ")");
        }
    }

    @Test
    void markdownExportHoldsEveryInputAndObservation() throws Exception {
        Path journal = recordSession(copy("staging"));
        CliRunner md = CliRunner.run("export", journal.toString(), "--to", "markdown");
        assertEquals(0, md.status(), md.err());
        for (String s : List.of("tier1.count(\"messages\")", "**24,000**", "tier1.checksum(\"messages\")` → **24,000 rows sha256:",
                "UPDATE conversations SET title = upper(title)", "tier2.counts()", "tier3.count(\"archives\")", "**3,000**", "| tier1 | messages | 24,000 |")) {
            assertTrue(md.out().contains(s), s + " missing in:\n" + md.out());
        }
    }

    @Test
    void recordedPlaybookRunReplaysWithItsDecisionsAndStopsOnDifferentData() throws Exception {
        Path tour = Path.of("..", "playbooks", "tour.groovy").toAbsolutePath().normalize();
        Path staging = copy("staging");
        CliRunner run = CliRunner.run("run", tour.toString(), "-w", staging.toString(), "--yes", "--report", dir.resolve("run.html").toString());
        assertEquals(0, run.status(), run.out() + run.err());
        String html = Files.readString(dir.resolve("run.html"));
        assertTrue(html.contains("backfill task_status") && html.contains("id=\"strip\"") && !html.contains("<script src") && !html.contains("<link"), html);
        Path journal = onlyJournal(staging);

        Path prod = copy("prod");
        CliRunner replay = CliRunner.run("replay", "-w", prod.toString(), journal.toString(), "--report", dir.resolve("replay.md").toString());
        assertEquals(0, replay.status(), replay.out() + replay.err());
        assertTrue(replay.out().contains("→ committed"), replay.out());
        assertTrue(Files.readString(dir.resolve("replay.md")).contains("| 2 | backfill task_status |"), Files.readString(dir.resolve("replay.md")));
        CliRunner list = CliRunner.run("run", tour.toString(), "-w", prod.toString(), "--list");
        assertFalse(list.out().contains("pending"), list.out());

        Path other = copy("other");
        sql(other, "tier1", "DELETE FROM messages WHERE id = 5");
        sql(other, "tier1", "DELETE FROM conversations WHERE id = 2000 AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = 2000)");
        sql(other, "tier1", "INSERT INTO conversations VALUES (5000, 's', 't', '2025-01-01', '2025-01-01', 0)");
        CliRunner diverged = CliRunner.run("replay", "-w", other.toString(), "--yes", journal.toString());
        assertEquals(1, diverged.status(), diverged.out());
        assertTrue(diverged.out().contains("Divergence"), diverged.out());
    }
}
