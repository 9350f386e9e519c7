package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.console.commands.StandardCommands;
import dev.sluice.dsl.Session;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Query results at the console, through its front door in script mode (issue 16): tables aligned in terminal columns
 * whatever the script (CJK, emoji, combining marks), {@code /mode table|box|csv|json}, and a bare query on a table
 * larger than {@code query()} holds showing its first rows instead of being refused. On a workspace made for this: a
 * rollback-journal tier with unicode, NULLs and a BLOB, and a WAL tier with 150,000 rows.
 */
class ConsoleResultsTest {
    @TempDir
    static Path dir;
    static Path ws;

    @BeforeAll
    static void workspace() {
        Workspace w = TestWorkspaces.sqlite(dir.resolve("ws"), "shop", "logbook");
        ws = w.dir();
        try (Tier t = Tier.open(w.tier("shop"), true)) {
            t.script("""
                    CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT, city TEXT, photo BLOB, score REAL);
                    INSERT INTO people VALUES (1, '王小明', '東京', x'89504e470d0a', 9.5);
                    INSERT INTO people VALUES (2, 'Zoe' || char(776) || ' Ng', 'Köln', NULL, NULL);
                    INSERT INTO people VALUES (3, '🙂 Ana', 'São Paulo', NULL, -1.25);
                    INSERT INTO people VALUES (4, NULL, 'line 1' || char(10) || 'line 2, "quoted"', NULL, 0);
                    """);
        }
        try (Tier t = Tier.open(w.tier("logbook"), true)) {
            t.script("""
                    PRAGMA journal_mode = WAL;
                    CREATE TABLE entries (id INTEGER PRIMARY KEY, kind TEXT NOT NULL);
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150000)
                    INSERT INTO entries SELECT i, CASE i % 3 WHEN 0 THEN 'open' WHEN 1 THEN '閉じた' ELSE 'held' END FROM n;
                    """);
        }
    }

    @Test
    void cjkEmojiAndCombiningMarksLineUpInTerminalColumns() {
        Transcript t = Transcript.run(ws, "shop.query(\"select id, name, city from people where id < 4 order by id\")\n");
        assertEquals(0, t.status(), t.err());
        // 王小明 and 東京 take two columns a character, 🙂 two, the combining diaeresis of Zoë none.
        assertEquals("""
                +----+--------+-----------+
                | id | name   | city      |
                +----+--------+-----------+
                |  1 | 王小明 | 東京      |
                |  2 | Zoe\u0308 Ng | Köln      |
                |  3 | 🙂 Ana | São Paulo |
                +----+--------+-----------+
                (3 rows)
                """, t.out());
    }

    @Test
    void boxModeDrawsTheTableWithBoxCharacters() {
        Transcript t = Transcript.run(ws, "/mode box\nshop.query(\"select id, name from people where id in (1, 4) order by id\")\n");
        assertEquals(0, t.status(), t.err());
        assertEquals("""
                ┌────┬────────┐
                │ id │ name   │
                ├────┼────────┤
                │  1 │ 王小明 │
                │  4 │ NULL   │
                └────┴────────┘
                (2 rows)
                """, t.out());
    }

    @Test
    void csvModeWritesRfc4180() {
        Transcript t = Transcript.run(ws, "/mode csv\nshop.query(\"select id, name, city, photo, score from people order by id\")\n");
        assertEquals(0, t.status(), t.err());
        assertEquals("id,name,city,photo,score\r\n"
                + "1,王小明,東京,89504e470d0a,9.5\r\n"
                + "2,Zoe\u0308 Ng,Köln,,\r\n"
                + "3,🙂 Ana,São Paulo,,-1.25\r\n"
                + "4,,\"line 1\nline 2, \"\"quoted\"\"\",,0.0\n", t.out(), "NULL is an empty field; a field with a comma, quote or new line is quoted");
    }

    @Test
    void jsonModeWritesAnArrayOfObjects() throws Exception {
        Transcript t = Transcript.run(ws, "/mode json\nshop.query(\"select id, name, city, photo, score from people order by id\")\n");
        assertEquals(0, t.status(), t.err());
        JsonNode rows = new ObjectMapper().readTree(t.out());
        assertEquals(4, rows.size(), t.out());
        assertTrue(rows.get(0).get("id").isIntegralNumber(), t.out());
        assertEquals("王小明", rows.get(0).get("name").asText());
        assertEquals("89504e470d0a", rows.get(0).get("photo").asText(), "a BLOB as hex");
        assertEquals(9.5, rows.get(0).get("score").asDouble());
        assertTrue(rows.get(1).get("photo").isNull() && rows.get(1).get("score").isNull(), t.out());
        assertEquals("line 1\nline 2, \"quoted\"", rows.get(3).get("city").asText(), "values whole, new lines kept");
    }

    @Test
    void modeAloneSaysWhichAndAnUnknownModeIsOneLine() {
        Transcript t = Transcript.run(ws, "/mode\n/mode csv\n/mode\n/mode xml\n", StandardCommands.options().withKeepGoing(true));
        assertEquals(List.of("mode table (one of table, box, csv, json)", "mode csv (one of table, box, csv, json)"), t.out().lines().toList());
        assertEquals(List.of("Usage: /mode takes one of table, box, csv, json; got 'xml'. Example: /mode csv"), t.errLines());
    }

    @Test
    void aBareSelectOnATableLargerThanQueryHoldsShowsItsFirstRows() {
        // JShell's path: the declaration first waits for the startup, so the query is a JShell snippet.
        Transcript t = Transcript.run(ws, "int ready = 1;\nlogbook.query(\"select * from entries\")\n");
        assertFirstRows(t);
        // The same query held in a variable is the whole result: refused, as 150,000 rows are more than query() holds.
        Transcript held = Transcript.run(ws, "var all = logbook.query(\"select * from entries\")\n");
        assertEquals(1, held.status());
        assertEquals(List.of("Usage: Tier 'logbook': the query returned more than 100,000 rows, more than query() holds. "
                + "Add a LIMIT, or stream it with logbook.each(sql, row -> ...); typed alone at the console prompt, a query shows its "
                + "first rows."), held.errLines());
    }

    @Test
    void aBareSelectOnTheFastPathShowsTheSameFirstRows() {
        String before = System.getProperty("sluice.direct");
        System.clearProperty("sluice.direct");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (Session s = Session.open(ws);
             PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
             Console console = Console.onStreams(s, new StringReader("tier(\"logbook\").query(\"select * from entries\")\n"), o, e,
                     StandardCommands.options())) {
            int status = console.run();
            assertEquals(1, console.directEvaluations(), "answered before JShell was warm");
            assertFirstRows(new Transcript(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)));
        } finally {
            if (before != null) {
                System.setProperty("sluice.direct", before);
            }
        }
    }

    private static void assertFirstRows(Transcript t) {
        assertEquals(0, t.status(), t.err());
        List<String> lines = t.out().lines().dropWhile(l -> !l.startsWith("+")).toList();
        assertEquals("|  1 | 閉じた |", lines.get(3), t.out());
        assertEquals("| 50 | held   |", lines.get(52), t.out());
        assertEquals("(first 50 rows shown of more than 10,000; the rest not counted, as that would read them all)",
                lines.get(lines.size() - 1));
        assertEquals(55, lines.size(), "a header, 50 rows, the footer: " + t.out());
    }

    @Test
    void aBareSelectThatFitsIsTheWholeResultAsBefore() {
        Transcript t = Transcript.run(ws, "logbook.query(\"select id from entries where id <= 120\")\n"
                + "logbook.query(\"select count(*) as n from entries where kind = ?\", \"閉じた\")\n");
        assertEquals(0, t.status(), t.err());
        assertTrue(t.out().contains("(120 rows, 50 shown)"), t.out());
        assertTrue(t.out().contains("| 50,000 |") || t.out().contains("| 50000 |"), t.out());
    }
}
