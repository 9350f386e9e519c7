package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The completer called directly, as Tab calls it: workspace names in DSL strings, /commands, and Java. */
class CompletionTest {
    @TempDir
    static Path dir;
    static Session session;
    static Console console;
    static ConsoleCompleter completer;

    @BeforeAll
    static void open() {
        Path ws = dir.resolve("demo");
        DemoWorkspace.create(ws);
        session = Session.open(ws);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream());
        console = Console.onStreams(session, new StringReader(""), sink, sink, dev.sluice.console.commands.StandardCommands.options());
        console.awaitStartup();
        completer = console.completer();
    }

    @AfterAll
    static void close() {
        console.close();
        session.close();
    }

    @Test
    void whileJShellIsColdTabAnswersFromNamesOrSaysItIsWarmingUp() {
        ConsoleCompleter.Completion calls = completer.names("long n = tier1.cou");
        assertEquals(List.of("count(", "counts()"), calls.candidates(), "a tier's DSL calls, as JShell offers them");
        assertEquals(15, calls.start());
        assertTrue(completer.names("ti").candidates().containsAll(List.of("tier(", "tier1", "tier2", "tier3", "tiers")),
                completer.names("ti").candidates().toString());
        assertEquals(ConsoleCompleter.WARMING_UP, completer.names("Strin").note());
        assertEquals(List.of(), completer.names("ws.dir").candidates(), "no guess at what needs the compiler");
        assertEquals(ConsoleCompleter.WARMING_UP, completer.names("ws.dir").note());
    }

    @Test
    void tableNameInsideCountString() {
        assertEquals(List.of("conversations"), completer.candidates("tier1.count(\"con"));
        assertEquals(List.of("archive_tags", "archives"), completer.candidates("tier3.checksum(\"arch"));
    }

    @Test
    void replacementStartsAfterTheQuote() {
        ConsoleCompleter.Completion c = completer.complete("long n = tier1.count(\"me", 24);
        assertEquals(22, c.start());
        assertEquals(List.of("messages"), c.candidates());
    }

    @Test
    void columnNamesInsideChecksumColumnList() {
        assertEquals(List.of("role"), completer.candidates("tier1.checksum(\"messages\", List.of(\"id\", \"rol"));
        assertTrue(completer.candidates("tier1.checksum(\"messages\", List.of(\"").containsAll(List.of("id", "conversation_id", "content")));
    }

    @Test
    void tierNamesInsideTierCall() {
        assertEquals(List.of("tier1", "tier2", "tier3"), completer.candidates("var t = tier(\"ti"));
    }

    @Test
    void tablesAndColumnsInsideSql() {
        assertTrue(completer.candidates("tier1.query(\"select * from mes").contains("messages"));
        assertTrue(completer.candidates("tier1.query(\"select c from messages where co")
                .containsAll(List.of("conversation_id", "content")));
    }

    @Test
    void sqlCompletionReadsTheStatementWithTheSqlLexer() {
        assertEquals(List.of(), completer.candidates("tier1.query(\"select * from messages where content = 'mes"), "inside a SQL string");
        assertEquals(List.of(), completer.candidates("tier1.query(\"select * from messages -- mes"), "inside a SQL comment");
        assertTrue(completer.candidates("tier1.query(\"select co from \\\"messages\\\" where co")
                .containsAll(List.of("conversation_id", "content")), "a quoted table name counts");
        assertTrue(completer.candidates("tier1.query(\"select 'from messages' as x where co").stream()
                .noneMatch(c -> c.equals("content")), "a table named only inside a string literal is not the statement's");
        assertTrue(completer.candidates("tier1.script(\"select 1 from messages; select co").stream()
                .noneMatch(c -> c.equals("content")), "only the current statement's tables lend their columns");
    }

    @Test
    void commandNamesAndTheirArguments() {
        assertEquals(List.of("/tiers", "/tables"), completer.candidates("/t"), "in /help order");
        assertEquals(List.of("/tables"), completer.candidates("/ta"));
        assertEquals(List.of("tier2"), completer.candidates("/tables tier2"));
        assertTrue(completer.candidates("/schema tier2.pat").containsAll(List.of("tier2.patterns", "tier2.patterns_fts")));
    }

    @Test
    void javaCompletionOnTierVariable() {
        assertEquals(List.of("count(", "counts()"), completer.candidates("tier1.cou"));
        assertTrue(completer.candidates("tier").containsAll(List.of("tier1", "tier2", "tier3", "tiers")));
    }

    @Test
    void snapshotNamesInsideRestore() {
        try (var bound = dev.sluice.dsl.Sluice.bind(session)) {
            dev.sluice.dsl.Sluice.snapshot("before-test");
        }
        assertEquals(List.of("before-test"), completer.candidates("restore(\"bef"));
    }
}
