package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** :lo and :hi are bound where they are parameters, and nowhere else: the lexer's reading, not a quote counter's. */
class BatchBindingTest {
    @TempDir
    Path dir;

    private static String bind(String sql, Engine e, List<Object> args) {
        return Batch.bind(sql, e, 1, 9, args);
    }

    @Test
    void onlyParametersAreBound() {
        List<Object> args = new ArrayList<>();
        assertEquals("UPDATE t SET note = ':lo', \"c:hi\" = 1 /* :lo */ WHERE id BETWEEN ? AND ? -- :hi",
                bind("UPDATE t SET note = ':lo', \"c:hi\" = 1 /* :lo */ WHERE id BETWEEN :lo AND :hi -- :hi", Engine.SQLITE, args));
        assertEquals(List.of(1, 9), args);
        args.clear();
        // an apostrophe in a comment opened a "string" for the old scanner, which then left :lo and :hi unbound
        assertEquals("-- don't touch\nUPDATE t SET v = 1 WHERE id >= ? AND id <= ?",
                bind("-- don't touch\nUPDATE t SET v = 1 WHERE id >= :lo AND id <= :hi", Engine.SQLITE, args));
        assertEquals(List.of(1, 9), args);
        args.clear();
        assertEquals("UPDATE t SET v = E'\\':lo', w = $$:hi$$, x = y::lo WHERE id BETWEEN ? AND ?",
                bind("UPDATE t SET v = E'\\':lo', w = $$:hi$$, x = y::lo WHERE id BETWEEN :lo AND :hi", Engine.POSTGRESQL, args));
        assertEquals(List.of(1, 9), args);
    }

    @Test
    void backfillFindsItsTableAfterACommentAndInAnyQuoting() {
        assertEquals("my t", Backfill.target(SqlLexer.code("/* daily */ -- it's fine\nUPDATE OR IGNORE [my t] SET v = 1", Engine.SQLITE)));
        assertEquals("a\"b", Backfill.target(SqlLexer.code("DELETE FROM \"a\"\"b\" WHERE id < :hi", Engine.SQLITE)));
        assertEquals(null, Backfill.target(SqlLexer.code("SELECT 1", Engine.SQLITE)));
        try (Tier t = DataTiers.sqlite(dir.resolve("a.db"))) {
            t.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER); INSERT INTO t (v) VALUES (0), (0), (0);");
            BackfillResult r = Backfill.sql(t, "-- don't skip the first row\nUPDATE t SET v = 1 WHERE id BETWEEN :lo AND :hi",
                    BackfillOptions.defaults().progress(false));
            assertEquals(3, r.rows());
            assertEquals(3L, t.count("t", "v = 1"));
        }
    }
}
