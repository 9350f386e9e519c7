package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Renaming a stored CREATE statement reads its head with the SQL lexer: comments and every quoting form are skipped right. */
class SqliteDdlTest {
    @Test
    void renamesTablesWhateverTheQuotingAndComments() {
        assertEquals("CREATE TABLE \"new\" (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'a (b')",
                SqliteDdl.renameTable("CREATE TABLE old (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'a (b')", "new"));
        assertEquals("CREATE TEMP TABLE IF NOT EXISTS /* it's [x] */ \"new\" (a)",
                SqliteDdl.renameTable("CREATE TEMP TABLE IF NOT EXISTS /* it's [x] */ [main].`o``ld` (a)", "new"));
        assertEquals("CREATE TABLE \"new\" (a)", SqliteDdl.renameTable("CREATE TABLE \"a \"\" b\"(a)", "new"));
    }

    @Test
    void renamesIndexesAndTheirTable() {
        assertEquals("CREATE UNIQUE INDEX -- on\n \"i2\" ON \"t2\" (a COLLATE NOCASE)",
                SqliteDdl.renameIndex("CREATE UNIQUE INDEX -- on\n \"i 1\" ON [t 1] (a COLLATE NOCASE)", "i2", "t2"));
    }
}
