package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.tier.Tier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's fast path for plain DSL calls while JShell warms up: it takes only what it can resolve exactly as javac
 * would, and what it prints, fails with and exits with is what JShell gives for the same input.
 */
class DirectCallTest {
    @TempDir
    static Path dir;
    static Path ws;
    static Session session;
    static DirectCall direct;

    @BeforeAll
    static void demo() {
        ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        session = Session.open(ws);
        direct = new DirectCall(Map.of("tier1", session.tier("tier1"), "tier2", session.tier("tier2")), Sluice.class);
    }

    @AfterAll
    static void close() {
        session.close();
    }

    @Test
    void takesPlainCallChainsWithLiteralArguments() throws Throwable {
        for (String s : List.of("tier1.count(\"conversations\")", "tier1.count(\"conversations\");\n", "  tier2.tables()  ",
                "tier1.count(\"conversations\", \"id > ?\", 5)", "tier1.query(\"select ?, ?\", null, -3L)",
                "tier1.checksum(\"conversations\").rows()", "tier(\"tier1\").name()", "tier1.exec(\"select 1\")")) {
            assertTrue(direct.plan(s).isPresent(), s);
        }
        DirectCall.Plan p = direct.plan("tier1.query(\"select ? + ?\", 40, 2)").orElseThrow();
        assertEquals("query", p.calls().get(0).method().getName());
        assertTrue(DirectCall.run(p).shown().contains("|    42 |"), DirectCall.run(p).shown());
        assertEquals("2,000", DirectCall.run(direct.plan("tier1.count(\"conversations\")").orElseThrow()).shown());
        assertEquals("\"tier1\"", DirectCall.run(direct.plan("tier1.name()").orElseThrow()).shown(), "strings quoted as JShell shows them");
    }

    @Test
    void leavesEverythingElseToJShell() {
        for (String s : List.of("var n = tier1.count(\"conversations\")", "tier1.count(\"a\" + \"b\")", "tier1.count(x)",
                "tier3.count(\"archives\")", "tier1.count(\"conversations\") // why", "tier1.count(\"\\u0041\")",
                "tier1.count(\"conversations\"", "tier1.count(\"a\"); tier1.count(\"b\")", "1 + 1", "tier1", "tier1.nothing()",
                "tier1.count(1.5)", "tier1.count(0x10)", "tier1.count(\"conversations\").foo()", "System.exit(0)",
                "for (var t : tiers) t.name()", "tier1.count(\"\"\"\nconversations\"\"\")", "tier1.query(\"select ?\", -010)",
                "tier1.query(\"select ?\", 010L)", "tier1.query(\"select ?\", 08)", "tier1.query(\"select ?\", 2147483648)",
                "tier1.query(\"select ?\", 5Lx)", "tier1.query(\"select ?\",\u000b5)", "tier1.query(\"select ?\", -)")) {
            assertTrue(direct.plan(s).isEmpty(), s);
        }
    }

    @Test
    void scriptsPrintTheSameOnBothPaths() {
        String script = """
                tier1.count("conversations")
                tier2.query("select 1 as a, 'x' as b, null as c")
                tier1.tables()
                tier1.checksum("messages")
                tier1.query("select ?", "a\\"b")
                tier1.name()
                tier1.count("nope")
                tier1.count("conversations", "id > ?", 5)
                """;
        Transcript fast = run(script, true);
        Transcript slow = run(script, false);
        assertTrue(fast.out().contains("2,000"), fast.out());
        assertEquals(slow, fast);
        assertEquals(1, fast.status());
        assertEquals(List.of("No such table: Tier 'tier1' has no table 'nope'. Tables: conversations, messages."), fast.errLines());
    }

    @Test
    void fastPathRunsBeforeJShellIsWarmAndErrorsReachLastError() {
        Transcript t = run("""
                tier2.count("nope")
                ((dev.sluice.error.SluiceException) lastError).code()
                """, true);
        assertEquals("NO_SUCH_TABLE", t.out().strip(), t.err());
    }

    @Test
    void aCustomStartupTurnsTheFastPathOff() throws Exception {
        Path startup = dir.resolve("mine.jsh");
        java.nio.file.Files.writeString(startup, "var tier1 = tier(\"tier2\");\n");
        Transcript t = Transcript.run(ws, "tier1.name()\n", dev.sluice.console.commands.StandardCommands.options().withStartup(List.of(startup)));
        assertEquals("\"tier2\"", t.out().strip(), "the user's rebinding wins: JShell evaluated it");
    }

    /** Runs {@code script} with the fast path on or off and checks it was (or was not) taken. */
    private static Transcript run(String script, boolean fast) {
        String before = System.getProperty("sluice.direct");
        System.setProperty("sluice.direct", Boolean.toString(fast));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (Session s = Session.open(ws);
             PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
             Console console = Console.onStreams(s, new StringReader(script), o, e, dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true))) {
            status = console.run();
            assertEquals(fast, console.directEvaluations() > 0, "fast path taken: " + console.directEvaluations());
        } finally {
            if (before == null) {
                System.clearProperty("sluice.direct");
            } else {
                System.setProperty("sluice.direct", before);
            }
        }
        return new Transcript(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void tierVariablesAreTheSessionsObjects() {
        Tier t = (Tier) direct.plan("tier1.name()").orElseThrow().receiver();
        assertTrue(t == session.tier("tier1"));
    }
}
