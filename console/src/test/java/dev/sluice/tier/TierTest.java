package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierTest {
    @TempDir
    Path dir;

    Tier t;

    @BeforeEach
    void open() {
        t = TestWorkspaces.tier(dir, "t1");
    }

    @AfterEach
    void close() {
        t.close();
    }

    private static void assertOneLine(SluiceException e) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void quotedIdentifiersWorkInEveryLookCall() {
        for (String name : List.of("order", "my \"table\"", "a b")) {
            t.exec("CREATE TABLE " + Identifiers.quote(name) + " (" + Identifiers.quote("select") + " INTEGER PRIMARY KEY, "
                    + Identifiers.quote("x \"y\"") + " TEXT)");
            t.exec("CREATE INDEX " + Identifiers.quote("ix " + name) + " ON " + Identifiers.quote(name) + "(" + Identifiers.quote("x \"y\"") + ")");
            t.exec("INSERT INTO " + Identifiers.quote(name) + " VALUES (1, 'one'), (2, NULL)");
            assertTrue(t.hasTable(name), name);
            assertTrue(t.hasColumn(name, "x \"y\""), name);
            assertEquals(List.of("select"), t.primaryKey(name));
            assertEquals(2, t.count(name));
            assertEquals(1, t.count(name, Identifiers.quote("x \"y\"") + " = ?", "one"));
            assertEquals(List.of("x \"y\""), t.indexes(name).get(0).columns());
            assertTrue(t.hasIndex("ix " + name));
            assertTrue(t.schema(name).startsWith("CREATE TABLE"), t.schema(name));
            assertEquals(2, t.checksum(name).rows());
            assertEquals(2, t.table(name).count());
        }
        assertEquals(List.of("a b", "my \"table\"", "order"), t.tables());
        assertEquals(Map.of("a b", 2L, "my \"table\"", 2L, "order", 2L), t.counts());
    }

    @Test
    void unknownTableIsRefusedNamingTheTablesThatExist() {
        t.exec("CREATE TABLE known (id INTEGER PRIMARY KEY)");
        SluiceException e = assertThrows(SluiceException.class, () -> t.count("unknown"));
        assertEquals(ErrorCode.NO_SUCH_TABLE, e.code());
        assertTrue(e.getMessage().contains("Tables: known"), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void columnsDescribeTypesKeysAndDefaults() {
        t.exec("CREATE TABLE c (a INTEGER NOT NULL, b TEXT DEFAULT 'open', c REAL, PRIMARY KEY (b, a))");
        List<Column> cols = t.columns("c");
        assertEquals(List.of("a", "b", "c"), cols.stream().map(Column::name).toList());
        assertTrue(cols.get(0).notNull());
        assertEquals("'open'", cols.get(1).defaultValue());
        assertEquals(List.of("b", "a"), t.primaryKey("c"));
        assertFalse(t.hasColumn("c", "d"));
    }

    @Test
    void nullsBlobsAndUnicodeRoundTripThroughQuery() {
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, x)");
        byte[] blob = {0, 1, (byte) 0xff, 0};
        t.exec("INSERT INTO v VALUES (?, ?), (?, ?), (?, ?), (?, ?)", 1, null, 2, blob, 3, "héllo ✓ 𝄞", 4, 2.5);
        Rows r = t.query("SELECT x FROM v ORDER BY id");
        assertNull(r.get(0).get(0));
        assertArrayEquals(blob, (byte[]) r.get(1).get("x"));
        assertEquals("héllo ✓ 𝄞", r.get(2).get("X"));
        assertEquals(2.5, r.get(3).get(0));
        assertEquals(4L, t.query("SELECT count(*) FROM v").value());
        assertEquals(List.of(1L, 2L, 3L, 4L), t.query("SELECT id FROM v ORDER BY id").values());
    }

    @Test
    void valueIsTheSingleCellOrNullAndRefusesWiderResults() {
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, x)");
        assertNull(t.query("SELECT x FROM v").value());
        t.exec("INSERT INTO v VALUES (1, 'a'), (2, 'b')");
        assertEquals("a", t.query("SELECT x FROM v WHERE id = ?", 1).value());
        SluiceException wide = assertThrows(SluiceException.class, () -> t.query("SELECT id, x FROM v").value());
        assertEquals(ErrorCode.USAGE, wide.code());
        assertThrows(SluiceException.class, () -> t.query("SELECT x FROM v").value());
        assertOneLine(wide);
    }

    @Test
    void rowsPrintAlignedWithNullAndCutLongValuesToTheWidth() {
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, name TEXT)");
        t.exec("INSERT INTO v VALUES (1, NULL), (22, 'short'), (333, ?)", "x".repeat(300));
        try (Rows.DisplayBinding narrow = Rows.bindDisplayWidth(60)) {
            String text = t.query("SELECT id, name FROM v ORDER BY id").toString();
            List<String> lines = text.lines().toList();
            List<String> table = lines.subList(0, lines.size() - 1);
            int width = table.get(0).length();
            assertTrue(width <= 60, text);
            table.forEach(l -> assertEquals(width, l.codePointCount(0, l.length()), text));
            assertTrue(text.contains("| NULL "), text);
            assertTrue(text.contains("…"), text);
            assertTrue(text.contains("|   1 |") && text.contains("| 333 |"), "numbers right-aligned: " + text);
            assertEquals("(3 rows)", lines.get(lines.size() - 1));
        }
    }

    @Test
    void rowsPrintOnlyTheFirstRowsAndCountTheRest() {
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY)");
        t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120) INSERT INTO v SELECT i FROM n");
        String text = t.query("SELECT id FROM v").toString();
        assertTrue(text.endsWith("(120 rows, " + Rows.DISPLAY_ROWS + " shown)"), text);
    }

    @Test
    void aPreviewOfALongResultKeepsTheRowsShownAndRefusesToBeReadAsTheWhole() {
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, name TEXT)");
        t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) INSERT INTO v SELECT i, 'n' || i FROM n");
        TierInternals.previewNextQuery(t, true);
        Rows preview = t.query("SELECT id, name FROM v ORDER BY id");
        assertTrue(preview.toString().endsWith("(first 50 rows shown of more than 10,000; the rest not counted, as that would read them all)"),
                preview.toString());
        assertEquals("n50", preview.get(49).get(1), "the rows shown are there");
        for (org.junit.jupiter.api.function.Executable whole : List.<org.junit.jupiter.api.function.Executable>of(preview::size,
                preview::values, preview::iterator, preview::rows, () -> preview.get(50), preview::value)) {
            SluiceException e = assertThrows(SluiceException.class, whole);
            assertEquals(ErrorCode.USAGE, e.code());
            assertOneLine(e);
        }
        assertEquals("This result holds only the 50 rows the console showed (size() needs them all): tier 't1': the query returned "
                + "more than 10,000 rows. Assign it to hold it all (var r = t1.query(…) holds up to 100,000 rows), add a LIMIT, or stream "
                + "it with t1.each(sql, row -> …).", assertThrows(SluiceException.class, preview::size).getMessage());
        assertEquals(10_001, t.query("SELECT id FROM v").size(), "the preview was for one query only: the next is held whole");
        TierInternals.previewNextQuery(t, true);
        assertEquals(10_000, t.query("SELECT id FROM v WHERE id <= 10000").size(), "a result that fits the preview is whole");
    }

    @Test
    void emptyResultPrintsItsHeader() {
        t.exec("CREATE TABLE e (id INTEGER PRIMARY KEY, x TEXT)");
        String text = t.query("SELECT * FROM e").toString();
        assertTrue(text.contains("| id | x    |") || text.contains("| id | x |"), text);
        assertTrue(text.endsWith("(0 rows)"), text);
        assertEquals(0, t.count("e"));
        assertEquals(0, t.checksum("e").rows());
    }

    @Test
    void badSqlIsOneLineNamingTheStatement() {
        SluiceException e = assertThrows(SluiceException.class, () -> t.query("SELEC 1"));
        assertEquals(ErrorCode.SQL, e.code());
        assertTrue(e.getMessage().contains("SELEC 1"), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void scriptRunsTriggersCommentsAndQuotedSemicolons() {
        String sql = """
                -- a comment; with a semicolon
                CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT);
                CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT); /* block; comment */
                CREATE TRIGGER item_ai AFTER INSERT ON item BEGIN
                  INSERT INTO log (msg) VALUES ('added; ' || new.name);
                  UPDATE log SET msg = msg || CASE WHEN new.id > 1 THEN '!' ELSE '.' END WHERE id = last_insert_rowid();
                END;
                INSERT INTO item (name) VALUES ('a;b'), ('it''s');
                -- trailing comment only
                """;
        assertEquals(4, SqlLexer.statements(sql, t.engine()).size(), SqlLexer.statements(sql, t.engine()).toString());
        t.script(sql);
        assertEquals(List.of("added; a;b.", "added; it's!"), t.query("SELECT msg FROM log ORDER BY id").values());
    }

    @Test
    void scriptReadsAFileAndNamesTheFailingStatement() throws Exception {
        Path f = dir.resolve("m.sql");
        Files.writeString(f, "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);\n");
        SluiceException e = assertThrows(SluiceException.class, () -> t.script(f.toString()));
        assertTrue(e.getMessage().contains("(statement 2 of 2, line 2)."), e.getMessage());
        assertOneLine(e);
        assertTrue(t.hasTable("a"));
    }

    @Test
    void scriptWithAnUnclosedQuoteRunsNothingAndSaysWhere() {
        SluiceException e = assertThrows(SluiceException.class, () -> t.script("CREATE TABLE first (id INTEGER);\n"
                + "INSERT INTO first VALUES (1);\nINSERT INTO first VALUES ('oops);\n"));
        assertEquals(ErrorCode.SQL, e.code());
        assertEquals("Tier 't1': script not run: Unterminated string 'oops);… at line 3, column 27 (statement 3). "
                + "Close it with '; write '' for a quote inside it.", e.getMessage());
        assertFalse(t.hasTable("first"), "nothing ran");
    }

    @Test
    void integrityChecksSayOkAndForeignKeyCheckListsAPlantedViolation() {
        t.script("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, p INTEGER REFERENCES parent(id));"
                + "INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1);");
        assertTrue(t.integrity().ok());
        assertTrue(t.quickCheck().ok());
        assertTrue(t.foreignKeyCheck().ok(), t.foreignKeyCheck().toString());
        SluiceException refused = assertThrows(SluiceException.class, () -> t.exec("INSERT INTO child VALUES (2, 99)"));
        assertEquals(ErrorCode.SQL, refused.code());
        t.exec("PRAGMA foreign_keys = OFF");
        t.exec("INSERT INTO child VALUES (2, 99)");
        IntegrityReport fk = t.foreignKeyCheck();
        assertFalse(fk.ok());
        assertEquals(1, fk.problems().size());
        assertTrue(fk.problems().get(0).contains("child") && fk.problems().get(0).contains("parent"), fk.toString());
        assertTrue(fk.toString().contains("1 problem"), fk.toString());
    }

    @Test
    void fingerprintSerialisesToJsonAndChangesWithTheSchema() throws Exception {
        t.exec("CREATE TABLE a (id INTEGER PRIMARY KEY, x TEXT)");
        t.exec("INSERT INTO a VALUES (1, 'x')");
        Fingerprint f = t.fingerprint();
        assertEquals(Map.of("a", 1L), f.counts());
        assertEquals("SQLite", f.engine());
        assertTrue(f.fileBytes() > 0);
        ObjectMapper json = dev.sluice.encoding.Json.mapper();
        String text = json.writeValueAsString(f);
        assertTrue(text.contains("\"schemaSha256\"") && text.contains("\"journalMode\""), text);
        assertEquals(f, json.readValue(text, Fingerprint.class));
        t.exec("ALTER TABLE a ADD COLUMN y TEXT");
        assertFalse(f.schemaSha256().equals(t.fingerprint().schemaSha256()));
    }

    @Test
    void readOnlyTierRefusesWrites() throws Exception {
        t.exec("CREATE TABLE a (id INTEGER PRIMARY KEY)");
        t.close();
        Path ws = dir.resolve("ro");
        Files.createDirectories(ws);
        Files.writeString(ws.resolve("sluice.json"), "{\"tiers\": {\"ro\": {\"path\": \"" + dir.resolve("data/t1.db")
                + "\", \"readOnly\": true}}}");
        try (Tier ro = Tier.open(Workspace.load(ws).tier("ro"))) {
            assertEquals(0, ro.count("a"));
            SluiceException e = assertThrows(SluiceException.class, () -> ro.exec("INSERT INTO a VALUES (1)"));
            assertEquals(ErrorCode.USAGE, e.code());
            assertOneLine(e);
        }
        t = Tier.open(Workspace.load(dir).tier("t1"));
    }

    @Test
    void transactionsCommitAndRollBack() {
        t.exec("CREATE TABLE a (id INTEGER PRIMARY KEY)");
        t.begin();
        t.exec("INSERT INTO a VALUES (1)");
        assertTrue(t.inTransaction());
        t.rollback();
        assertEquals(0, t.count("a"));
        t.begin();
        assertThrows(SluiceException.class, t::begin);
        t.exec("INSERT INTO a VALUES (2)");
        t.commit();
        assertEquals(1, t.count("a"));
    }

    @Test
    void toStringNamesEngineAndFile() {
        assertTrue(t.toString().startsWith("t1 (SQLite 3."), t.toString());
    }
}
