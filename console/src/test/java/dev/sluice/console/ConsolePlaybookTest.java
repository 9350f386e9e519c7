package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stepping through a playbook at the console (/run, /next, /commit, /rollback, /skip, /steps, /status) and the console as
 * the inspector of `sluice run`, through the front doors, on the demo workspace's real SQLite files.
 */
class ConsolePlaybookTest {
    /** Tests run in the console module's folder: the project's playbooks are one level up. */
    static final String TOUR = "../playbooks/tour.groovy";

    @TempDir
    Path dir;
    Path ws;

    @BeforeEach
    void demo() {
        ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
    }

    @Test
    void nextLeavesTheStepOpenForSnippetsAndRollbackLeavesTheTierAsItWas() {
        String schema = committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'");
        Transcript t = Transcript.run(ws, """
                /run %s
                /next
                tier1.hasColumn("conversations", "task_status")
                /rollback
                tier1.hasColumn("conversations", "task_status")
                /status
                """.formatted(TOUR));
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains("Running step 1/3 'add a task_status column'"), t.out());
        assertTrue(t.out().contains("conversations") && t.out().contains("schema changed"), t.out());
        assertTrue(t.out().contains("✓") || t.out().contains("the column exists"), t.out());
        List<String> values = t.out().lines().filter(l -> l.equals("true") || l.equals("false")).toList();
        assertEquals(List.of("true", "false"), values, "the snippet sees the uncommitted column, then not after /rollback");
        assertTrue(t.out().contains("next: 'add a task_status column'"), "a rolled back step is still next:\n" + t.out());
        assertEquals(schema, committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'"));
        assertEquals(0L, committedLong("SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_history'")
                + (hasHistory() ? committedLong("SELECT count(*) FROM sluice_history") : 0));
        assertEquals(0L, committedLong("SELECT count(*) FROM sqlite_schema WHERE name = 'sluice_lock'"), "no lock row in the tier");
        assertFalse(Files.exists(ws.resolve("data/tier1.db.sluice-lock")), "the console's end released the run lock");
    }

    /** Issue 15, bug 1: tier1.commit() at the prompt committed the open step's changes with no history row. */
    @Test
    void tierCommitAndRollbackAreRefusedWhileAStepOwnsTheTier() {
        String schema = committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'");
        Transcript t = Transcript.run(ws, """
                /run %s
                /next
                tier1.commit()
                tier1.rollback()
                tier1.hasColumn("conversations", "task_status")
                /rollback
                tier1.hasColumn("conversations", "task_status")
                """.formatted(TOUR), Console.Options.defaults().withKeepGoing(true));
        String refused = "step 'add a task_status column' is open on this tier. Use /commit or /rollback to decide the step";
        assertTrue(t.err().contains("tier1.commit() is refused: " + refused), t.out() + t.err());
        assertTrue(t.err().contains("tier1.rollback() is refused: " + refused), t.out() + t.err());
        List<String> values = t.out().lines().filter(l -> l.equals("true") || l.equals("false")).toList();
        assertEquals(List.of("true", "false"), values, "the step stays open after the refusals, and /rollback really rolls it back");
        assertEquals(schema, committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'"), "nothing was committed");
        assertEquals(0L, hasHistory() ? committedLong("SELECT count(*) FROM sluice_history") : 0L);
    }

    @Test
    void commitWritesHistoryAndStepsShowsTheStepsApplied() {
        Transcript t = Transcript.run(ws, """
                /run %s
                /next
                /commit
                /next
                tier1.count("conversations", "task_status = 'open'")
                try (Tier other = Tier.open(ws.tier("tier1"))) { System.out.println("elsewhere " + other.count("conversations", "task_status = 'open'")); }
                /commit
                /steps
                /status
                """.formatted(TOUR));
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains("2,000\n"), "the step's own connection sees the uncommitted backfill:\n" + t.out());
        assertTrue(t.out().contains("elsewhere 0"), "another connection does not:\n" + t.out());
        assertTrue(t.out().contains("→ committed"), t.out());
        assertTrue(t.out().matches("(?s).*\n   1\\. applied  add a task_status column  \\(tier1, .*"), t.out());
        assertTrue(t.out().matches("(?s).*\n   2\\. applied  backfill task_status  \\(tier1, .*"), t.out());
        assertTrue(t.out().contains("\n>  3. pending  index conversations by status  ← next"), t.out());
        assertTrue(t.out().contains("next: 'index conversations by status'"), t.out());
        assertEquals(2L, committedLong("SELECT count(*) FROM sluice_history WHERE playbook = 'tour'"));
        assertEquals(2_000L, committedLong("SELECT count(*) FROM conversations WHERE task_status = 'open'"));
    }

    @Test
    void stepsMarksTheOpenStepAndSkipMovesPastIt() {
        Transcript t = Transcript.run(ws, """
                /run %s --only "add a task_status column"
                /next
                /steps
                /skip
                /next
                """.formatted(TOUR));
        assertEquals(0, t.status(), t.out() + t.err());
        assertTrue(t.out().contains(">  1. open     add a task_status column  ← transactions open"), t.out());
        assertTrue(t.out().contains("skipped (rolled back, still pending)"), t.out());
        assertTrue(t.out().contains("Nothing left to run"), t.out());
        assertFalse(committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'").contains("task_status"));
    }

    @Test
    void decisionsWithoutAnOpenStepAreOneLineAndKeepTheConsole() {
        Transcript t = Transcript.run(ws, """
                /status
                /steps
                /run %s
                /commit
                /run nowhere.groovy
                /status
                /run %s -p nope=1
                /status
                """.formatted(TOUR, TOUR), dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertEquals(1, t.status());
        assertTrue(t.out().startsWith("No playbook is loaded."), t.out());
        assertEquals(List.of(
                "Usage: No playbook is loaded. Load one with /run playbooks/NAME.groovy (Tab after /run lists them).",
                "Usage: No step is open. Run the next one first (/next).",
                "Playbook: No playbook nowhere.groovy in the workspace (" + ws + ") or the current folder ("
                        + Path.of("").toAbsolutePath() + "). Tab after /run lists the playbooks found.",
                "Usage: Unknown parameter 'nope' for ../playbooks/tour.groovy; its parameters: status."), t.errLines());
        assertTrue(t.out().contains("next: 'add a task_status column'"), "a playbook that cannot be loaded leaves the run loaded:\n" + t.out());
        assertTrue(t.out().endsWith("No playbook is loaded. /run PLAYBOOK loads one (Tab after /run lists them).\n"),
                "one that loads but cannot start has released the previous run:\n" + t.out());
    }

    @Test
    void nonTransactionalActionInsideNextIsAskedOnTheConsoleAndRefusedWhileAStepIsOpen() throws Exception {
        Files.createDirectories(ws.resolve("playbooks"));
        Files.writeString(ws.resolve("playbooks/snap.groovy"), """
                playbook 'Snap', {
                    tiers 'tier1'
                    step 'snapshot first', {
                        snapshot 'pre-archive', tier1
                    }
                    step 'delete one', {
                        tier1.exec('DELETE FROM messages WHERE id = 1')
                    }
                }
                """);
        Transcript t = Transcript.run(ws, """
                /run playbooks/snap.groovy
                /next
                n
                /next
                y
                /commit
                /next
                snapshot("typed", tier1)
                /rollback
                snapshot("outside", tier1)
                """, dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertTrue(t.out().contains("Step 'snapshot first' wants to snapshot"), t.out());
        assertTrue(t.out().contains("Go ahead? [y/N] n\n"), t.out());
        assertTrue(t.out().contains("Go ahead? [y/N] y\n"), t.out());
        List<String> errors = t.errLines();
        assertEquals(2, errors.size(), t.err());
        assertTrue(errors.get(0).startsWith("Cancelled: Step 'snapshot first' failed and was rolled back"), t.err());
        assertTrue(errors.get(1).startsWith("Usage: Refused to snapshot") && errors.get(1).contains("while step 'delete one' is open"), t.err());
        assertTrue(Files.isDirectory(ws.resolve("snapshots/pre-archive")));
        assertFalse(Files.exists(ws.resolve("snapshots/typed")));
        assertTrue(Files.isDirectory(ws.resolve("snapshots/outside")), "outside a step a snapshot just runs");
        assertEquals(24_000L, committedLong("SELECT count(*) FROM messages"));
    }

    @Test
    void leavingWithAnOpenStepRollsItBackAndFreesTheRunForTheNextConsole() {
        Transcript first = Transcript.run(ws, "/run " + TOUR + "\n/next\n");
        assertEquals(0, first.status(), first.out() + first.err());
        assertFalse(committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'").contains("task_status"));
        assertFalse(Files.exists(ws.resolve("data/tier1.db.sluice-lock")), "the console's end released the run lock");
        Transcript second = Transcript.run(ws, "/run " + TOUR + "\n/next\n/commit\n");
        assertEquals(0, second.status(), second.out() + second.err());
        assertTrue(committed("SELECT sql FROM sqlite_schema WHERE name = 'conversations'").contains("task_status"));
    }

    @Test
    void tabCompletesPlaybookPathsStepNamesAndParameters() throws Exception {
        Files.createDirectories(ws.resolve("playbooks"));
        Files.copy(Path.of(TOUR), ws.resolve("playbooks/tour.groovy"));
        try (Session session = Session.open(ws);
             PrintStream sink = new PrintStream(new ByteArrayOutputStream());
             Console console = Console.onStreams(session, new StringReader(""), sink, sink, dev.sluice.console.commands.StandardCommands.options())) {
            ConsoleCompleter c = console.completer();
            assertEquals(List.of("/next"), c.candidates("/ne"));
            assertTrue(c.candidates("/run play").contains("playbooks/tour.groovy"), c.candidates("/run play").toString());
            assertEquals(List.of("\"backfill task_status\""), c.candidates("/run playbooks/tour.groovy --only \"back"));
            assertEquals(List.of("\"add a task_status column\"", "\"backfill task_status\"", "\"index conversations by status\""),
                    c.candidates("/run playbooks/tour.groovy --start-at "));
            assertEquals(List.of("status="), c.candidates("/run playbooks/tour.groovy -p "));
            assertEquals(List.of("--start-at", "--stop-after"), c.candidates("/run playbooks/tour.groovy --st"));
        }
    }

    @Test
    void runStepModeInspectsInTheConsoleAndReturnsToTheQuestion() {
        CliRunner r = CliRunner.runWithInput("""
                c
                i
                tier1.count("conversations", "task_status = 'open'")
                /steps
                /commit
                /exit
                c
                q
                """, "run", TOUR, "-w", ws.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("Inspecting step 'backfill task_status' in the console"), r.out());
        assertTrue(r.out().contains("2,000\n"), "the inspect console sees the uncommitted backfill:\n" + r.out());
        assertTrue(r.out().contains(">  2. open     backfill task_status"), r.out());
        assertTrue(r.err().contains("/commit is not available while inspecting step 'backfill task_status' of 'sluice run'"), r.err());
        assertTrue(r.out().contains("Back to step 'backfill task_status'."), r.out());
        assertEquals(2L, committedLong("SELECT count(*) FROM sluice_history WHERE playbook = 'tour'"));
        assertEquals(2_000L, committedLong("SELECT count(*) FROM conversations WHERE task_status = 'open'"));
    }

    @Test
    void everyCommandHasHelpAndAReadmeEntry() throws Exception {
        String readme = Files.readString(Path.of("../README.md"));
        List<SlashCommand> all = new java.util.ArrayList<>(dev.sluice.console.commands.StandardCommands.create());
        all.addAll(dev.sluice.console.commands.JournalCommands.of(null));
        for (SlashCommand c : all) {
            assertFalse(c.summary().isBlank(), c.name());
            assertTrue(readme.contains("| `/" + c.name()), "README's console table lacks /" + c.name());
        }
    }

    // ---------------------------------------------------------------- the committed state, through a connection of its own

    private String committed(String sql) {
        try (Tier t = Tier.open(Workspace.load(ws).tier("tier1"))) {
            return String.valueOf(t.query(sql).value());
        }
    }

    private long committedLong(String sql) {
        return Long.parseLong(committed(sql));
    }

    private boolean hasHistory() {
        try (Tier t = Tier.open(Workspace.load(ws).tier("tier1"))) {
            return t.hasTable("sluice_history");
        }
    }

    @Test
    void anOpenAtomicStepIsInspectedAndCommittedThroughTheSameTierVariables() throws Exception {
        Path atomic = dir.resolve("atomic");
        Workspace w = dev.sluice.testing.TestWorkspaces.sqlite(atomic, "tier1", "tier2");
        for (String name : new String[]{"tier1", "tier2"}) {
            try (Tier tier = Tier.open(w.tier(name), true)) {
                tier.script("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO items (name) VALUES ('a'), ('b');");
            }
        }
        Path pb = Files.createDirectories(atomic.resolve("playbooks")).resolve("move.groovy");
        Files.writeString(pb, """
                playbook 'Move', {
                    tiers 'tier1', 'tier2'
                    step 'move', atomic: true, {
                        tier1.exec("INSERT INTO tier1.items (name) SELECT name FROM tier2.items")
                        tier2.exec("DELETE FROM tier2.items")
                    }
                }
                """);
        Transcript t = Transcript.run(atomic, """
                /run playbooks/move.groovy
                /next
                dev.sluice.tier.TierInternals.routed(tier2)
                tier1.count("items") + tier2.count("items")
                /commit
                dev.sluice.tier.TierInternals.routed(tier2)
                tier1.count("items") * 10 + tier2.count("items")
                """);
        assertEquals(0, t.status(), t.out() + t.err());
        List<String> values = t.out().lines().map(String::strip).filter(l -> l.matches("true|false|\\d+")).toList();
        assertEquals(List.of("true", "4", "false", "40"), values, "routed while open, uncommitted rows visible; back after /commit:\n" + t.out());
        try (Tier t1 = Tier.open(w.tier("tier1")); Tier t2 = Tier.open(w.tier("tier2"))) {
            assertEquals(4, t1.count("items"));
            assertEquals(0, t2.count("items"));
        }
    }
}
