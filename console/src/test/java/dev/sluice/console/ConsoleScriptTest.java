package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console driven through its front door with a script on the demo workspace: transcript and exit status. */
class ConsoleScriptTest {
    @TempDir
    static Path dir;
    static Path ws;

    @BeforeAll
    static void demo() {
        ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
    }

    @Test
    void dslCallPrintsCountWithSeparators() {
        Transcript t = Transcript.run(ws, "tier1.count(\"conversations\")\n");
        assertEquals(0, t.status(), t.err());
        assertEquals("2,000", t.out().strip());
        assertEquals("", t.err());
    }

    @Test
    void queryPrintsAlignedTable() {
        Transcript t = Transcript.run(ws, "tier1.query(\"select role, count(*) as n from messages group by role\")\n");
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().contains("| assistant |"), t.out());
        assertTrue(t.out().contains("(3 rows)"), t.out());
    }

    @Test
    void multiLineForLoopRunsAsOneSnippet() {
        Transcript t = Transcript.run(ws, """
                for (var r : tier1.query("select id from conversations order by id limit 3")) {
                    System.out.println("id " + r.get(0));
                }
                """);
        assertEquals(0, t.status(), t.err());
        assertEquals(List.of("id 1", "id 2", "id 3"), t.out().lines().toList());
    }

    @Test
    void errorLeavesConsoleAliveAndKeepsLastError() {
        Transcript t = Transcript.run(ws, """
                1 / 0
                System.out.println("alive " + lastError.getClass().getSimpleName())
                """, dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertEquals(List.of("ArithmeticException: / by zero"), t.errLines());
        assertEquals("alive ArithmeticException", t.out().strip());
        assertEquals(1, t.status(), "a script with an error exits 1 even with --keep-going");
    }

    @Test
    void badTableNameGivesOneLineWithTheKnownTables() {
        Transcript t = Transcript.run(ws, "tier1.count(\"conversation\")\n");
        assertEquals(1, t.status());
        assertEquals(List.of("No such table: Tier 'tier1' has no table 'conversation'. Tables: conversations, messages."), t.errLines());
        assertEquals("", t.out());
    }

    @Test
    void sluiceExceptionKeptInLastErrorWithItsCode() {
        Transcript t = Transcript.run(ws, """
                tier2.count("nope")
                ((dev.sluice.error.SluiceException) lastError).code()
                """, dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertEquals("NO_SUCH_TABLE", t.out().strip());
    }

    @Test
    void compileErrorShowsPositionInOneLine() {
        Transcript t = Transcript.run(ws, "int x = tier1.count(\"messages\") + undefinedThing;\n");
        assertEquals(1, t.status());
        assertEquals(1, t.errLines().size(), t.err());
        assertTrue(t.err().startsWith("Compile error at 1:"), t.err());
        assertTrue(t.err().contains("undefinedThing"), t.err());
    }

    @Test
    void scriptStopsAtFirstErrorWithStatusOne() {
        Transcript t = Transcript.run(ws, """
                System.out.println("before")
                tier1.query("select * from nowhere")
                System.out.println("after")
                """);
        assertEquals(1, t.status());
        assertEquals("before", t.out().strip());
        assertEquals(1, t.errLines().size(), t.err());
        assertTrue(t.err().startsWith("Sql: Tier 'tier1': no such table: nowhere"), t.err());
    }

    @Test
    void keepGoingEvaluatesEverything() {
        Transcript t = Transcript.run(ws, """
                tier1.query("select * from nowhere")
                System.out.println("after")
                """, dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertEquals(1, t.status());
        assertEquals("after", t.out().strip());
    }

    @Test
    void cleanScriptExitsZeroAndPrintsOnlyWhatItEvaluates() {
        Transcript t = Transcript.run(ws, "int n = 41;\nn + 1\n");
        assertEquals(0, t.status(), t.err());
        assertEquals(List.of("n = 41", "42"), t.out().lines().toList());
    }

    @Test
    void slashCommandsRunInScripts() {
        Transcript t = Transcript.run(ws, "/tables tier1\n/schema tier1.messages\n/nope\n",
                dev.sluice.console.commands.StandardCommands.options().withKeepGoing(true));
        assertTrue(t.out().contains("messages") && t.out().contains("24,000"), t.out());
        assertTrue(t.out().contains("CREATE TABLE messages"), t.out());
        assertEquals(List.of("Usage: no command /nope. Type /help for the list."), t.errLines());
    }

    @Test
    void groovySeesTheSameTiers() {
        Transcript t = Transcript.run(ws, "/groovy tier1.count('conversations') + tiers.names().size()\n");
        assertEquals(0, t.status(), t.err());
        assertEquals("2003", t.out().strip());
    }

    @Test
    void snippetSeesTheHostsTierObject() {
        try (Session session = Session.open(ws)) {
            int host = System.identityHashCode(session.tier("tier1"));
            Transcript t = Transcript.run(session, "System.out.println(System.identityHashCode(tier1))\n"
                    + "System.out.println(tier1 == dev.sluice.dsl.Sluice.session().tier(\"tier1\"))\n", dev.sluice.console.commands.StandardCommands.options());
            assertEquals(List.of(String.valueOf(host), "true"), t.out().lines().toList(), t.err());
        }
    }

    @Test
    void helpListsEveryCommandWithItsSummary() {
        Transcript t = Transcript.run(ws, "/help\n");
        for (SlashCommand c : dev.sluice.console.commands.StandardCommands.create()) {
            assertTrue(t.out().contains(c.usage()), c.name());
            assertFalse(c.summary().isBlank(), c.name());
        }
    }

    @Test
    void saveWritesAScriptThatRunsAgain() throws Exception {
        Transcript t = Transcript.run(ws, "long n = tier1.count(\"messages\");\n/save saved.jsh\n");
        assertEquals(0, t.status(), t.err());
        Path saved = ws.resolve("saved.jsh");
        assertEquals(List.of("long n = tier1.count(\"messages\");"), Files.readAllLines(saved));
        assertEquals("n = 24,000", Transcript.run(ws, Files.readString(saved)).out().strip());
    }

    @Test
    void userStartupScriptRunsAfterTheStandardOne() throws Exception {
        Path startup = dir.resolve("mine.jsh");
        Files.writeString(startup, "long messages() { return tier1.count(\"messages\"); }\n");
        Transcript t = Transcript.run(ws, "messages() / 2\n", dev.sluice.console.commands.StandardCommands.options().withStartup(List.of(startup)));
        assertEquals("12,000", t.out().strip(), t.err());
    }

    @Test
    void listenersHearInputsOutputsAndErrors() {
        StringBuilder heard = new StringBuilder();
        EvalListener l = new EvalListener() {
            @Override
            public void input(Kind kind, String text) {
                heard.append(kind).append(' ').append(text.strip()).append('\n');
            }

            @Override
            public void output(String summary) {
                heard.append("= ").append(summary).append('\n');
            }

            @Override
            public void error(String line, Throwable error) {
                heard.append("! ").append(line).append('\n');
            }
        };
        Transcript.run(ws, "tier1.count(\"messages\")\n/groovy 1 + 1\n1/0\n", dev.sluice.console.commands.StandardCommands.options().withListener(l).withKeepGoing(true));
        assertEquals("""
                JAVA tier1.count("messages")
                = 24,000
                COMMAND /groovy 1 + 1
                GROOVY 1 + 1
                = 2
                = /groovy done
                JAVA 1/0
                ! ArithmeticException: / by zero
                """, heard.toString());
    }
}
