package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.console.commands.StandardCommands;
import dev.sluice.dsl.Session;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console on a terminal (JLine on in-process streams, an xterm as every real terminal is), as a new user met it
 * (issue 16): tables that follow a resized window, the banner's table count, the first Tab while JShell warms up, and a
 * history without answers or secrets.
 */
class ConsoleOnTerminalTest {
    private static final String ESCAPES = "\u001B(\\[[?0-9;$]*[A-Za-z]|[78=>])";

    @TempDir
    Path dir;

    @Test
    void tablesFollowAResizedTerminal() throws Exception {
        Workspace ws = shop();
        try (Session session = Session.open(ws.dir()); Screen screen = new Screen(session, StandardCommands.options()
                .withHistoryFile(dir.resolve("history")), 160)) {
            screen.await("sluice> ");
            screen.type("6 * 7\r"); // once this answers, JShell is warm and the queries below are its snippets
            screen.await("42");
            screen.await("sluice> ");
            screen.type("shop.query(\"select * from notes\")\r");
            String wide = screen.await("(2 rows)");
            screen.await("sluice> ");
            screen.resize(60);
            screen.type("shop.query(\"select * from notes\")\r");
            String narrow = screen.await("(2 rows)");
            assertTrue(tableWidths(wide).stream().allMatch(w -> w > 60 && w <= 160), "at 160 columns the table is wider than 60: " + wide);
            assertTrue(tableWidths(narrow).stream().allMatch(w -> w <= 60), "after the resize it fits 60 columns: " + narrow);
            assertEquals(1, tableWidths(narrow).stream().distinct().count(), "and its lines still line up: " + narrow);
        }
    }

    @Test
    void aLongCallShowsItsRowsOfTheTotalInsteadOfTheElapsedTime() throws Exception {
        Workspace ws = shop();
        try (Session session = Session.open(ws.dir()); Screen screen = new Screen(session, StandardCommands.options()
                .withHistoryFile(dir.resolve("history")), 160)) {
            screen.await("sluice> ");
            screen.type("6 * 7\r"); // JShell warm: the spinner's first frames are not spent compiling the call below
            screen.await("42");
            screen.await("sluice> ");
            // Two one-row batches with a pause after each: the spinner (after a second) finds the task under way.
            screen.type("backfill(shop, \"notes\", dev.sluice.data.BackfillOptions.defaults().name(\"fill notes\").batchRows(1)"
                    + ".pause(java.time.Duration.ofMillis(2500)), b -> { })\r");
            String before = screen.awaitEither("fill notes: ", "sluice> ");
            assertTrue(before.endsWith("fill notes: "), "the spinner showed the task: " + before);
            String line = screen.await("(Ctrl-C cancels)");
            assertTrue(line.matches("(?s)[0-2]/2 rows \\([0-9]+%\\).*"), "rows of the total, not the elapsed time alone: " + line);
            screen.await("sluice> ");
        }
    }

    @Test
    void theBannerAndTiersCountTheOperatorsTablesOnly() throws Exception {
        Workspace ws = shop();
        try (Session session = Session.open(ws.dir()); Screen screen = new Screen(session, StandardCommands.options()
                .withHistoryFile(dir.resolve("history")), 160)) {
            String banner = screen.await("sluice> ");
            screen.type("/tiers\r");
            String tiers = screen.await("sluice> ");
            assertTrue(banner.lines().anyMatch(l -> l.startsWith("  shop ") && l.endsWith("2 tables")), "notes and orders, not sluice_*: " + banner);
            assertTrue(tiers.lines().anyMatch(l -> l.startsWith("shop ") && l.contains("  2 tables  ")), tiers);
        }
    }

    @Test
    void theFirstTabAnswersWhileJShellIsStillWarmingUp() throws Exception {
        Workspace ws = shop();
        Path gate = dir.resolve("warm");
        Path startup = dir.resolve("slow.jsh");
        // A startup that holds JShell until the test lets it go: what a cold compiler does for a second or two, made certain.
        Files.writeString(startup, "while (!java.nio.file.Files.exists(java.nio.file.Path.of(\"" + gate.toString().replace("\\", "\\\\")
                + "\"))) Thread.sleep(20);\n");
        try (Session session = Session.open(ws.dir()); Screen screen = new Screen(session, StandardCommands.options()
                .withStartup(List.of(startup)).withHistoryFile(dir.resolve("history")), 160)) {
            screen.await("sluice> ");
            screen.type("shop.integ\t");
            screen.await("shop.integrity()");
            screen.type("\u0015sh\t"); // Ctrl-U clears the line
            screen.await("shop"); // "sh" typed, "op" completed (the line is redrawn in place, no prompt again)
            screen.type("\u0015Strin\t");
            screen.await(ConsoleCompleter.WARMING_UP);
            Files.createFile(gate);
            screen.type("\u0015" + "6 * 7\r");
            screen.await("42");
            screen.await("sluice> ");
            String answer = "";
            for (int i = 0; i < 20 && !answer.contains("StringBuilder"); i++) { // JShell's own first completion may take a while
                screen.type("\u0015Strin\t");
                answer = screen.awaitEither("StringBuilder", ConsoleCompleter.WARMING_UP);
            }
            assertTrue(answer.contains("StringBuilder"), "once warm, Tab is JShell's: " + answer);
        }
    }

    @Test
    void answersStayOutOfTheHistoryAndSecretsAreRedacted() throws Exception {
        Path wsDir = dir.resolve("vaultws");
        Workspace.write(wsDir, new Workspace.File(Map.of("vault", new TierSpec("jdbc:sqlite:data/vault.db", null, "hunter2-horse",
                null, false, false, false)), null, null));
        try (Tier t = Tier.open(Workspace.load(wsDir).tier("vault"), true)) {
            t.exec("CREATE TABLE keys (id INTEGER PRIMARY KEY, owner TEXT)");
        }
        Path history = dir.resolve("history");
        // A history written before redaction existed: the console rewrites it when it loads it.
        Files.writeString(history, "1700000000000:vault.query(\"select 'hunter2-horse'\")\n");
        try (Session session = Session.open(wsDir); Screen screen = new Screen(session, StandardCommands.options().withHistoryFile(history), 160)) {
            screen.await("sluice> ");
            screen.type("vault.query(\"select ? as owner\", \"hunter2-horse\")\r");
            screen.await("(1 row)");
            screen.type("String url = \"jdbc:postgresql://ana:s3cr3t-pw@db.example/prod?password=tok3n-xyz\"\r");
            screen.await("url = ");
            screen.await("sluice> "); // keys wait for the prompt: between two reads the terminal is not raw, and ^D would be its EOF
            screen.type("vault.begin()\r");
            screen.await("vault.begin()");
            screen.await("sluice> ");
            screen.type("\u0004"); // Ctrl-D with a transaction open: the console asks
            screen.await("Leave anyway? [y/N] ");
            screen.type("n\r");
            screen.await("sluice> ");
            screen.type("vault.rollback()\r");
            screen.await("vault.rollback()");
            screen.await("sluice> ");
            assertEquals(0, screen.end());
        }
        String saved = Files.readString(history);
        assertFalse(saved.contains("hunter2-horse") || saved.contains("s3cr3t-pw") || saved.contains("tok3n-xyz"), saved);
        List<String> lines = saved.lines().map(l -> l.substring(l.indexOf(':') + 1)).toList();
        assertEquals(List.of("vault.query(\"select '****'\")", "vault.query(\"select ? as owner\", \"****\")",
                "String url = \"jdbc:postgresql://ana:****@db.example/prod?password=****\"", "vault.begin()", "vault.rollback()"), lines,
                "inputs redacted as journals are; the 'n' that answered the question is not an input");
    }

    // ---------------------------------------------------------------- fixtures and the screen

    /** One SQLite tier 'shop' (WAL): two tables of the operator's, wide unicode notes, and Sluice's own bookkeeping tables. */
    private Workspace shop() {
        Workspace ws = TestWorkspaces.sqlite(dir.resolve("ws"), "shop");
        try (Tier t = Tier.open(ws.tier("shop"), true)) {
            t.script("""
                    PRAGMA journal_mode = WAL;
                    CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL);
                    CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT, body TEXT);
                    INSERT INTO notes VALUES (1, '注文の確認をお願いします。配送は来週の予定です。', 'Order confirmed; shipping next week, tracking to follow by mail.');
                    INSERT INTO notes VALUES (2, NULL, 'Zoe' || char(776) || ' 🙂 says the parcel arrived in São Paulo, all items intact, thanks.');
                    CREATE TABLE sluice_history (id INTEGER PRIMARY KEY, step TEXT);
                    CREATE TABLE sluice_lock (tier TEXT PRIMARY KEY, owner TEXT);
                    """);
        }
        return ws;
    }

    /** The terminal widths of the table lines (those starting with + or |) of a screen excerpt. */
    private static List<Integer> tableWidths(String screen) {
        return screen.lines().filter(l -> l.startsWith("+") || l.startsWith("|")).map(l -> new AttributedString(l).columnLength()).toList();
    }

    /** A console on an in-process xterm: keys typed into a pipe, the screen read back without escape sequences. */
    private static final class Screen implements AutoCloseable {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final PipedOutputStream keys = new PipedOutputStream();
        private final Terminal terminal;
        private final Console console;
        private final CompletableFuture<Integer> status;
        private int seen;

        Screen(Session session, Console.Options options, int columns) throws Exception {
            PipedInputStream in = new PipedInputStream(keys, 1 << 16);
            terminal = TerminalBuilder.builder().system(false).type("xterm").size(new Size(columns, 50)).encoding(StandardCharsets.UTF_8)
                    .streams(in, out).build();
            console = Console.onTerminal(session, terminal, options);
            status = CompletableFuture.supplyAsync(console::run);
        }

        String text() {
            return out.toString(StandardCharsets.UTF_8).replaceAll(ESCAPES, "").replace("\r", "");
        }

        /** Waits for {@code want} after what the last wait saw; returns the screen from there up to and including it. */
        String await(String want) throws Exception {
            return awaitEither(want, null);
        }

        String awaitEither(String want, String orElse) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String s = text();
                int at = s.indexOf(want, seen);
                int other = orElse == null ? -1 : s.indexOf(orElse, seen);
                if (at >= 0 || other >= 0) {
                    int end = at >= 0 ? at + want.length() : other + orElse.length();
                    String got = s.substring(seen, end);
                    seen = end;
                    return got;
                }
                if (status.isDone()) {
                    break;
                }
                Thread.sleep(20);
            }
            throw new AssertionError("the screen never showed '" + want + "' after:\n" + text().substring(seen) + "\n-- whole screen:\n" + text());
        }

        void type(String s) throws Exception {
            keys.write(s.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        /** What the window manager does: a new size, then SIGWINCH. */
        void resize(int columns) {
            terminal.setSize(new Size(columns, 50));
            terminal.raise(Terminal.Signal.WINCH);
        }

        int end() throws Exception {
            keys.close();
            return status.get(60, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            keys.close();
            status.get(60, TimeUnit.SECONDS);
            console.close();
            terminal.close();
        }
    }
}
