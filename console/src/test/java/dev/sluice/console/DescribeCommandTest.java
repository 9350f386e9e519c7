package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.console.commands.StandardCommands;
import dev.sluice.testing.Postgres;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /describe tier.table} as psql's {@code \d}, and {@code /schema} on PostgreSQL with its indexes, constraints and
 * triggers (issue 16), through the console's front door on real SQLite files and a real PostgreSQL schema.
 */
class DescribeCommandTest {
    @TempDir
    Path dir;

    @Test
    void describeShowsColumnsKeysIndexesChecksAndTriggersOfASqliteTable() {
        Workspace ws = TestWorkspaces.sqlite(dir.resolve("ws"), "ledger");
        try (Tier t = Tier.open(ws.tier("ledger"), true)) {
            t.script("""
                    CREATE TABLE "account holders" (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
                    CREATE TABLE entries (
                      id INTEGER PRIMARY KEY,
                      holder INTEGER REFERENCES "account holders"(id) ON DELETE CASCADE,
                      amount REAL NOT NULL DEFAULT 0 CHECK (amount <> 0),
                      memo TEXT DEFAULT 'check (not a constraint)',
                      state TEXT NOT NULL DEFAULT 'open',
                      CONSTRAINT state_known CHECK (state IN ('open', 'closed'))
                    );
                    CREATE INDEX entries_holder ON entries(holder);
                    CREATE INDEX entries_memo_lower ON entries(lower(memo));
                    CREATE UNIQUE INDEX entries_one_open ON entries(holder, id DESC) WHERE state = 'open';
                    CREATE TRIGGER entries_no_zero BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'zero') WHERE NEW.amount = 0; END;
                    """);
        }
        Transcript t = Transcript.run(ws.dir(), "/describe ledger.entries\n/describe ledger.\"account holders\"\n");
        assertEquals(0, t.status(), t.err());
        assertEquals("""
                Table ledger.entries (SQLite %s)
                +--------+---------+----------+----------------------------+
                | Column | Type    | Nullable | Default                    |
                +--------+---------+----------+----------------------------+
                | id     | INTEGER |          |                            |
                | holder | INTEGER |          |                            |
                | amount | REAL    | not null | 0                          |
                | memo   | TEXT    |          | 'check (not a constraint)' |
                | state  | TEXT    | not null | 'open'                     |
                +--------+---------+----------+----------------------------+
                Primary key: (id)
                Indexes:
                    "entries_holder" (holder)
                    "entries_memo_lower" CREATE INDEX entries_memo_lower ON entries(lower(memo))
                    "entries_one_open" UNIQUE (holder, id DESC) WHERE state = 'open'
                Foreign-key constraints:
                    FOREIGN KEY ("holder") REFERENCES "account holders"("id") ON DELETE CASCADE
                Check constraints:
                    CHECK (amount <> 0)
                    "state_known" CHECK (state IN ('open', 'closed'))
                Triggers:
                    "entries_no_zero" CREATE TRIGGER entries_no_zero BEFORE UPDATE ON entries BEGIN SELECT RAISE(ABORT, 'zero') WHERE NEW.amount = 0; END
                """.formatted(sqliteVersion(ws)), t.out().substring(0, t.out().indexOf("Table ledger.account holders")));
        assertTrue(t.out().contains("Indexes:\n    \"sqlite_autoindex_account holders_1\" UNIQUE CONSTRAINT (email)\n"), t.out());
    }

    @Test
    void describeOfAnUnknownTableOrAMissingDotIsOneLine() {
        Workspace ws = TestWorkspaces.sqlite(dir.resolve("ws"), "ledger");
        try (Tier t = Tier.open(ws.tier("ledger"), true)) {
            t.exec("CREATE TABLE entries (id INTEGER PRIMARY KEY)");
        }
        Transcript t = Transcript.run(ws.dir(), "/describe ledger.entrys\n/describe entries\n", StandardCommands.options().withKeepGoing(true));
        assertEquals(List.of("No such table: Tier 'ledger' has no table 'entrys'. Tables: entries.",
                "Usage: /describe needs tier.table, e.g. /describe ledger.TABLE; got 'entries'."), t.errLines());
        assertEquals("", t.out());
    }

    @Test
    void describeAndSchemaOnPostgresShowIndexesConstraintsAndTriggers() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("""
                        CREATE TABLE holders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email varchar(200) NOT NULL UNIQUE);
                        CREATE TABLE entries (
                          id serial PRIMARY KEY,
                          holder bigint REFERENCES holders(id) ON DELETE CASCADE,
                          amount numeric(12,2) NOT NULL DEFAULT 0 CHECK (amount <> 0),
                          twice numeric GENERATED ALWAYS AS (amount * 2) STORED,
                          memo text,
                          CONSTRAINT state_memo CHECK (memo IS NULL OR length(memo) < 500)
                        );
                        CREATE INDEX entries_holder ON entries(holder);
                        CREATE INDEX entries_memo_lower ON entries(lower(memo));
                        CREATE UNIQUE INDEX entries_one_big ON entries(holder, id DESC) WHERE amount > 1000;
                        CREATE FUNCTION entries_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                        CREATE TRIGGER entries_touch BEFORE INSERT OR UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION entries_touch();
                        INSERT INTO holders (email) VALUES ('王@example.com');
                        INSERT INTO entries (holder, amount, memo) VALUES (1, 12.5, '東京 🙂');
                        """);
            }
            Path ws = dir.resolve("pgws");
            Workspace.write(ws, new Workspace.File(Map.of("books", new TierSpec(pg.url(), Postgres.USER, null, null, false, false, false)), null, null));
            Transcript t = Transcript.run(ws, "/describe books.entries\n/schema books.entries\n");
            assertEquals(0, t.status(), t.err());
            String out = t.out();
            for (String line : List.of(
                    "| id     | integer       | not null | nextval('entries_id_seq'::regclass)              |",
                    "| amount | numeric(12,2) | not null | 0                                                |",
                    "| twice  | numeric       |          | generated always as (amount * 2::numeric) stored |",
                    "Primary key: (id)",
                    "Indexes:\n"
                            + "    \"entries_pkey\" PRIMARY KEY, btree (id)\n"
                            + "    \"entries_holder\" btree (holder)\n"
                            + "    \"entries_memo_lower\" btree (lower(memo))\n"
                            + "    \"entries_one_big\" UNIQUE, btree (holder, id DESC) WHERE amount > 1000::numeric\n",
                    "Foreign-key constraints:\n    \"entries_holder_fkey\" FOREIGN KEY (holder) REFERENCES holders(id) ON DELETE CASCADE\n",
                    "Check constraints:\n    \"entries_amount_check\" CHECK (amount <> 0::numeric)\n"
                            + "    \"state_memo\" CHECK (memo IS NULL OR length(memo) < 500)\n",
                    "Triggers:\n    \"entries_touch\" BEFORE INSERT OR UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION entries_touch()\n",
                    // /schema: the CREATE TABLE with every constraint, then the indexes no constraint owns, then the trigger
                    "  \"twice\" numeric GENERATED ALWAYS AS (amount * 2::numeric) STORED,\n",
                    "  CONSTRAINT \"entries_pkey\" PRIMARY KEY (id),\n",
                    "CREATE INDEX entries_holder ON entries USING btree (holder);\n",
                    "CREATE UNIQUE INDEX entries_one_big ON entries USING btree (holder, id DESC) WHERE amount > 1000::numeric;\n",
                    "CREATE TRIGGER entries_touch BEFORE INSERT OR UPDATE ON entries FOR EACH ROW EXECUTE FUNCTION entries_touch();\n")) {
                assertTrue(out.contains(line), "missing:\n" + line + "\nin:\n" + out);
            }
            Transcript holders = Transcript.run(ws, "/describe books.holders\nbooks.query(\"select id, email from holders\")\n");
            assertTrue(holders.out().contains("| id     | bigint                 | not null | generated always as identity |"), holders.out());
            assertTrue(holders.out().contains("\"holders_email_key\" UNIQUE CONSTRAINT, btree (email)"), holders.out());
            assertTrue(holders.out().contains("|  1 | 王@example.com |"), "CJK from PostgreSQL lines up too: " + holders.out());
        }
    }

    @Test
    void aBareSelectOnALargePostgresTableShowsItsFirstRows() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE readings AS SELECT i AS id, 'sensor ' || (i % 7) AS sensor FROM generate_series(1, 120000) AS i");
            }
            Path ws = dir.resolve("pgws");
            Workspace.write(ws, new Workspace.File(Map.of("plant", new TierSpec(pg.url(), Postgres.USER, null, null, false, false, false)), null, null));
            Transcript t = Transcript.run(ws, "plant.query(\"select * from readings order by id\")\n");
            assertEquals(0, t.status(), t.err());
            List<String> lines = t.out().lines().toList();
            assertEquals("|  1 | sensor 1 |", lines.get(3), t.out());
            assertEquals("(first 50 rows shown of more than 10,000; the rest not counted, as that would read them all)", lines.get(lines.size() - 1));
        }
    }

    private static String sqliteVersion(Workspace ws) {
        try (Tier t = Tier.open(ws.tier("ledger"))) {
            return t.engineVersion();
        }
    }
}
