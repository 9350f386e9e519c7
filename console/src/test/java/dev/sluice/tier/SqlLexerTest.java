package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.SqlLexer.Kind;
import dev.sluice.tier.SqlLexer.Statement;
import dev.sluice.tier.SqlLexer.Token;
import dev.sluice.workspace.Engine;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one SQL lexer on the hard cases of both dialects: where strings, names, comments, bodies and statements end. */
class SqlLexerTest {
    private static final Engine PG = Engine.POSTGRESQL;
    private static final Engine LITE = Engine.SQLITE;

    private static List<String> split(String sql, Engine e) {
        return SqlLexer.statements(sql, e).stream().map(Statement::text).toList();
    }

    private static List<String> kinds(String sql, Engine e) {
        return SqlLexer.code(sql, e).stream().map(t -> t.kind() + ":" + t.text()).toList();
    }

    @Test
    void tokensConcatenateToTheText() {
        String sql = "SELECT 'a;b', \"c\"\"d\", $x$ y $x$ -- z\n/* w /* v */ u */ FROM t;";
        for (Engine e : List.of(LITE, PG)) {
            StringBuilder b = new StringBuilder();
            SqlLexer.tokens(sql, e).forEach(t -> b.append(t.text()));
            assertEquals(sql, b.toString());
        }
    }

    @Test
    void singleQuotedStringsDoubleTheirQuote() {
        assertEquals(List.of("SELECT 'it''s; fine'", "SELECT 2"), split("SELECT 'it''s; fine'; SELECT 2", LITE));
        assertEquals(List.of("STRING:'it''s; fine'"), kinds("'it''s; fine'", PG));
    }

    @Test
    void doubleQuotedBacktickedAndBracketedNames() {
        assertEquals(List.of("QUOTED_NAME:\"a;\"\"b\"", "SYMBOL:.", "QUOTED_NAME:`c;``d`", "SYMBOL:.", "QUOTED_NAME:[e;f]"),
                kinds("\"a;\"\"b\".`c;``d`.[e;f]", LITE));
        List<Token> names = SqlLexer.code("\"a\"\"b\" `c``d` [e\"f]", LITE);
        assertEquals(List.of("a\"b", "c`d", "e\"f"), names.stream().map(Token::name).toList());
        // PostgreSQL has no backtick or bracket names: [ is an array subscript there
        assertEquals(List.of("WORD:a", "SYMBOL:[", "NUMBER:1", "SYMBOL:]"), kinds("a[1]", PG));
    }

    @Test
    void dollarQuotedBodiesWithAndWithoutTags() {
        String fn = """
                CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$
                BEGIN
                  PERFORM 1; RETURN 2;
                END $$;
                DO $body$ BEGIN RAISE NOTICE 'x;$$;'; END $body$;
                SELECT $a$ $b$ ; $b$ $a$""";
        List<String> st = split(fn, PG);
        assertEquals(3, st.size(), st.toString());
        assertTrue(st.get(0).endsWith("END $$"), st.get(0));
        assertEquals("DO $body$ BEGIN RAISE NOTICE 'x;$$;'; END $body$", st.get(1));
        assertEquals("SELECT $a$ $b$ ; $b$ $a$", st.get(2));
        // $1 is a parameter, and a $ inside a name is part of the name, not a tag
        assertEquals(List.of("WORD:a$b$", "PARAMETER:$1"), kinds("a$b$ $1", PG));
        // SQLite has no dollar quoting: $name is a parameter there
        assertEquals(List.of("SELECT $a", "SELECT 1"), split("SELECT $a; SELECT 1", LITE));
    }

    @Test
    void escapeStringsTakeBackslashes() {
        assertEquals(List.of("SELECT E'\\''", "SELECT 'x'"), split("SELECT E'\\''; SELECT 'x'", PG));
        assertEquals(List.of("STRING:e'a\\\\'", "SYMBOL:,", "STRING:E'b''c\\n'"), kinds("e'a\\\\', E'b''c\\n'", PG));
        // a standard string keeps its backslash: the quote after it closes the string
        assertEquals(List.of("SELECT '\\'", "SELECT 2"), split("SELECT '\\'; SELECT 2", PG));
    }

    @Test
    void blockCommentsNestInPostgresqlOnly() {
        assertEquals(List.of("COMMENT:/* a /* b; */ c; */"), SqlLexer.tokens("/* a /* b; */ c; */", PG).stream()
                .map(t -> t.kind() + ":" + t.text()).toList());
        // SQLite ends the comment at the first */
        assertEquals(List.of("c", "*/"), split("/* a /* b */ c; */", LITE));
    }

    @Test
    void aSemicolonInAStringInACommentDoesNotEndTheStatement() {
        assertEquals(List.of("SELECT 1 -- it's 'a;b'\n + 1", "SELECT /* ';' */ 2"),
                split("SELECT 1 -- it's 'a;b'\n + 1; SELECT /* ';' */ 2;", LITE));
        assertEquals(List.of("SELECT 1 -- it's 'a;b'\n + 1", "SELECT 2"), split("SELECT 1 -- it's 'a;b'\n + 1; SELECT 2", PG));
    }

    @Test
    void triggerBodiesHoldSemicolonsAndCaseEnd() {
        String sql = """
                CREATE TABLE log (msg TEXT);
                CREATE TEMP TRIGGER t AFTER INSERT ON item WHEN CASE WHEN new.id > 0 THEN 1 END BEGIN
                  INSERT INTO log VALUES ('a;' || CASE WHEN new.id > 1 THEN 'b' ELSE 'c' END);
                  UPDATE log SET msg = msg || ';';
                END;
                INSERT INTO item DEFAULT VALUES;""";
        List<Statement> st = SqlLexer.statements(sql, LITE);
        assertEquals(3, st.size(), st.toString());
        assertTrue(st.get(1).text().endsWith("END"), st.get(1).text());
        assertEquals(2, st.get(1).line());
        assertEquals(6, st.get(2).line());
    }

    @Test
    void beginAtomicFunctionBodiesHoldSemicolons() {
        String sql = "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END; SELECT f()";
        assertEquals(2, split(sql, PG).size(), split(sql, PG).toString());
        // a transaction's BEGIN is no body
        assertEquals(List.of("BEGIN", "CREATE TABLE a (x int)", "COMMIT"), split("BEGIN; CREATE TABLE a (x int); COMMIT;", PG));
    }

    @Test
    void commentOnlyStatementsAreDroppedAndLinesCounted() {
        List<Statement> st = SqlLexer.statements("-- head\n\nSELECT 1;\n/* only a comment */;\n\n  SELECT\n 2;\n-- tail", LITE);
        assertEquals(List.of(new Statement("SELECT 1", 1, 3), new Statement("SELECT\n 2", 2, 6)), st);
    }

    @Test
    void unterminatedConstructsSayWhatWhereAndHow() {
        assertUnterminated("SELECT 1;\nSELECT 'abc;\nSELECT 3;", LITE, "Unterminated string 'abc;…", "line 2, column 8", "(statement 2)");
        assertUnterminated("SELECT 1; DO $body$ BEGIN\n END $bod$;", PG, "Unterminated dollar-quoted string $body$", "line 1, column 14",
                "(statement 2)", "Close it with $body$.");
        assertUnterminated("SELECT 1; SELECT 2;\n\n/* a /* b */ SELECT 3;", PG, "Unterminated block comment", "line 3, column 1", "(statement 3)");
        assertUnterminated("SELECT E'it\\'s;", PG, "Unterminated escape string E'it", "line 1, column 8", "(statement 1)");
        assertUnterminated("SELECT \"a;", PG, "Unterminated quoted name \"a;", "Close it with \".");
        assertUnterminated("SELECT [a;", LITE, "Unterminated quoted name [a;", "Close it with ].");
        assertUnterminated("CREATE TABLE x (a);\nCREATE TRIGGER t AFTER INSERT ON x BEGIN\n SELECT 1;", LITE, "Unterminated BEGIN block at line 2",
                "(statement 2)", "END");
    }

    private static void assertUnterminated(String sql, Engine e, String... parts) {
        SluiceException ex = assertThrows(SluiceException.class, () -> SqlLexer.statements(sql, e));
        assertEquals(ErrorCode.SQL, ex.code());
        assertFalse(ex.getMessage().contains("\n"), ex.getMessage());
        for (String p : parts) {
            assertTrue(ex.getMessage().contains(p), ex.getMessage() + " lacks " + p);
        }
    }

    @Test
    void tokensNeverFailOnHalfTypedText() {
        List<Token> t = SqlLexer.tokens("SELECT * FROM t WHERE a = 'ab", LITE);
        Token last = t.get(t.size() - 1);
        assertEquals(Kind.STRING, last.kind());
        assertFalse(last.closed());
    }

    @Test
    void parametersAndCasts() {
        assertEquals(List.of("WORD:x", "SYMBOL:::", "WORD:text", "SYMBOL:=", "PARAMETER::lo", "SYMBOL:,", "PARAMETER:?"),
                kinds("x::text = :lo, ?", PG));
        assertEquals(List.of("PARAMETER:@a", "PARAMETER:$b", "PARAMETER:?2", "PARAMETER::c"), kinds("@a $b ?2 :c", LITE));
        assertEquals("SELECT", SqlLexer.firstWord("/* x */ -- y\n select 1", LITE));
        assertEquals("", SqlLexer.firstWord("(SELECT 1)", LITE));
    }
}
