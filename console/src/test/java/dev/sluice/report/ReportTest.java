package dev.sluice.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.cli.CliRunner;
import dev.sluice.testing.Postgres;
import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reports as a DBA reads them (issue 16): runs made through the front door on a ledger tier with NULLs, unicode and
 * blobs in WAL mode — not the demo — then the HTML page parsed as a browser would and the Markdown read as text.
 */
class ReportTest {
    /** Four steps: a table created; a column, index and trigger added; a backfill; a table dropped. */
    private static final String PLAYBOOK = """
            playbook 'Grand livre : une ville pour chaque client ✓', {
                description 'Adds customers.city with its index and an audit trigger, backfills it, drops notes.'
                tiers 'ledger'
                param 'city', 'Zürich'
                param 'ticket', 'none'

                step 'create the audit table', {
                    createTable ledger, 'CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT, what TEXT)'
                    expect('audit exists') { ledger.hasTable('audit') }
                }

                step 'add city, its index and an audit trigger', {
                    addColumn ledger, 'customers', 'city TEXT'
                    createIndex ledger, 'CREATE INDEX idx_customers_city ON customers(city)'
                    ledger.exec("CREATE TRIGGER trg_customers_audit AFTER UPDATE OF city ON customers BEGIN INSERT INTO audit(at, what) VALUES ('t', 'customer ' || new.id); END")
                    expect('the column exists') { ledger.hasColumn('customers', 'city') }
                }

                step 'backfill city', {
                    ledger.exec("UPDATE customers SET city = ? WHERE city IS NULL AND name IS NOT NULL", city)
                    expect('every named customer has a city') { ledger.count('customers', 'name IS NOT NULL AND city IS NULL') == 0 }
                    expect('no customer was lost') { ledger.count('customers') == 300 }
                }

                step 'drop the old notes table', {
                    ledger.exec('DROP TABLE notes')
                    expect('customers kept') { ledger.count('customers') == 300 }
                }
            }
            """;

    @TempDir
    Path dir;

    /** A workspace with one WAL-mode SQLite tier 'ledger': 300 customers (every 7th without a name, unicode names, blobs), 40 notes. */
    private Path ledger(String name) throws Exception {
        Path ws = dir.resolve(name);
        TestWorkspaces.sqlite(ws, "ledger");
        Files.createDirectories(ws.resolve("data"));
        sql(ws, "PRAGMA journal_mode=WAL",
                "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, balance REAL, photo BLOB)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300) INSERT INTO customers SELECT i, "
                        + "CASE WHEN i % 7 = 0 THEN NULL WHEN i % 3 = 0 THEN 'Ève ' || i ELSE '李 ' || i END, i * 1.5, "
                        + "CASE WHEN i % 5 = 0 THEN x'00ff' END FROM n",
                "CREATE TABLE notes (id INTEGER PRIMARY KEY, customer_id INTEGER, body TEXT)",
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40) INSERT INTO notes SELECT i, i, 'note ✓ ' || i FROM n");
        return ws;
    }

    private static void sql(Path ws, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/ledger.db")); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        }
    }

    private Path playbook() throws Exception {
        Path p = dir.resolve("playbooks").resolve("ledger city.groovy");
        Files.createDirectories(p.getParent());
        Files.writeString(p, PLAYBOOK);
        return p;
    }

    private static Document page(Path html) throws Exception {
        return Jsoup.parse(Files.readString(html));
    }

    private static Element step(Document d, int n) {
        Element s = d.getElementById("step-" + n);
        assertNotNull(s, "no section for step " + n + " in:\n" + d.body().text());
        return s;
    }

    private static String fact(Document d, String name) {
        Element row = d.selectFirst("#facts tr[data-fact=" + name + "] td");
        assertNotNull(row, "no fact '" + name + "'");
        return row.text();
    }

    @Test
    void completedRunReportNamesThePlaybookEveryStepAndWhatChangedInTheSchema() throws Exception {
        Path ws = ledger("done");
        Path pb = playbook();
        Path html = dir.resolve("out").resolve("done.html");
        CliRunner run = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--yes", "-p", "ticket=CHG-1234", "--report", html.toString());
        assertEquals(0, run.status(), run.out() + run.err());
        Document d = page(html);

        assertEquals("Completed", d.getElementById("headline").text());
        assertTrue(d.getElementById("verdict").hasClass("ok"));
        assertTrue(d.getElementById("verdict-detail").text().contains("4 committed"), d.getElementById("verdict-detail").text());
        assertTrue(fact(d, "playbook").contains("Grand livre : une ville pour chaque client ✓"), fact(d, "playbook"));
        assertTrue(fact(d, "file").contains(pb.toAbsolutePath().toString()), fact(d, "file"));
        assertTrue(fact(d, "file").contains("ledger city.groovy"), fact(d, "file"));
        assertTrue(fact(d, "params").contains("ticket = CHG-1234") && fact(d, "params").contains("city = Zürich (default)"), fact(d, "params"));
        assertTrue(fact(d, "who").contains(System.getProperty("user.name")), fact(d, "who"));
        assertTrue(fact(d, "workspace").contains(ws.toString()), fact(d, "workspace"));
        assertTrue(fact(d, "started").matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d .*"), fact(d, "started")); // to the second, no nanoseconds
        assertTrue(fact(d, "ended").contains("took"), fact(d, "ended"));
        for (int i = 1; i <= 4; i++) {
            assertEquals("committed", step(d, i).attr("data-status"), "step " + i);
        }

        // Step 1 created a table, step 2 added a column, an index and a trigger, step 4 dropped a table.
        assertEquals(1, step(d, 1).select("li[data-kind=table][data-change=added][data-table=ledger.audit]").size(), step(d, 1).html());
        Element s2 = step(d, 2);
        assertTrue(s2.selectFirst("li[data-kind=column][data-change=added]").text().contains("ledger.customers.city"), s2.html());
        assertTrue(s2.selectFirst("li[data-kind=index][data-change=added]").text().contains("idx_customers_city"), s2.html());
        assertTrue(s2.selectFirst("li[data-kind=trigger][data-change=added]").text().contains("trg_customers_audit"), s2.html());
        assertFalse(s2.text().contains("no change"), s2.text());
        assertEquals(1, step(d, 3).select("[data-schema=unchanged]").size(), "a backfill changes no schema");
        assertEquals(1, step(d, 4).select("li[data-kind=table][data-change=dropped][data-table=ledger.notes]").size(), step(d, 4).html());

        // Rows as deltas of each table, checksums compared, and the values each expectation read.
        long named = 300 - 300 / 7;
        Element audit = step(d, 3).selectFirst("table.rows tr[data-table=ledger.audit]");
        assertTrue(audit.text().contains("+" + named), audit.text()); // the trigger wrote one audit row per backfilled customer
        Element customers = step(d, 3).selectFirst("table.rows tr[data-table=ledger.customers]");
        assertTrue(customers.text().contains("300 300 ±0"), customers.text());
        assertEquals(2, customers.select("code[title~=^[0-9a-f]{64}$]").size(), "checksums before and after: " + customers.html());
        Element held = step(d, 3).selectFirst("ul.expect li[data-passed=true]");
        assertTrue(held.text().contains("ledger.count(\"customers\", \"name IS NOT NULL AND city IS NULL\") → 0"), held.text());
        assertTrue(step(d, 4).selectFirst("table.rows tr[data-table=ledger.notes]").text().contains("dropped"), step(d, 4).text());

        // Self-contained: nothing is fetched.
        assertTrue(d.select("script, link, img, iframe, [src]").isEmpty(), "external or scripted content");

        // The same journal in Markdown, through 'sluice report'.
        Path journal = TestWorkspaces.onlyJournal(ws);
        CliRunner md = CliRunner.run("report", journal.toString());
        assertEquals(0, md.status(), md.err());
        String text = md.out();
        for (String s : List.of("# Completed — Grand livre : une ville pour chaque client ✓", "| **File** | `" + pb.toAbsolutePath(),
                "| 2 | add city, its index and an audit trigger | committed |", "- **added** column `ledger.customers.city`: `TEXT`",
                "- **added** index `ledger.customers.idx_customers_city`", "- **dropped** table `ledger.notes`",
                "| `ledger.audit` | 0 | " + String.format("%,d", named) + " | +" + named + " |", "`ticket = CHG-1234`")) {
            assertTrue(text.contains(s), s + " missing in:\n" + text);
        }
    }

    @Test
    void runQuitAtStepThreeIsStoppedThereWithThatStepRolledBackAndTheNextPending() throws Exception {
        Path ws = ledger("quit");
        Path html = dir.resolve("quit.html");
        CliRunner run = CliRunner.runWithInput("c\nc\nq\n", "run", playbook().toString(), "-w", ws.toString(), "--report", html.toString());
        assertTrue(run.out().contains("Report written"), run.out() + run.err());
        Document d = page(html);

        assertEquals("Stopped at step 3 of 4", d.getElementById("headline").text());
        assertTrue(d.getElementById("verdict").hasClass("warn"));
        assertFalse(d.text().contains("succeeded"), d.text());
        assertEquals(List.of("committed", "committed", "rolled-back", "pending"),
                List.of(step(d, 1), step(d, 2), step(d, 3), step(d, 4)).stream().map(e -> e.attr("data-status")).toList());
        assertTrue(step(d, 3).text().contains("The operator quit here"), step(d, 3).text());
        assertTrue(step(d, 4).text().contains("Not run"), step(d, 4).text());
        assertTrue(d.getElementById("verdict-detail").text().contains("2 committed, 1 rolled back, 1 pending"), d.getElementById("verdict-detail").text());
        assertTrue(fact(d, "mode").contains("step by step"), fact(d, "mode"));
    }

    @Test
    void failedExpectationFailsTheRunAtItsStepAndShowsTheValueItCompared() throws Exception {
        Path ws = ledger("fail");
        sql(ws, "CREATE TRIGGER keep_one_without_city BEFORE UPDATE OF city ON customers WHEN new.id = 2 BEGIN SELECT RAISE(IGNORE); END");
        Path html = dir.resolve("fail.html");
        CliRunner run = CliRunner.run("run", playbook().toString(), "-w", ws.toString(), "--yes", "--report", html.toString());
        assertEquals(11, run.status(), run.out() + run.err()); // a failed expectation's own exit status
        Document d = page(html);

        assertEquals("Failed at step 3 of 4", d.getElementById("headline").text());
        assertTrue(d.getElementById("verdict").hasClass("bad"));
        assertEquals("failed", step(d, 3).attr("data-status"));
        assertEquals("pending", step(d, 4).attr("data-status"));
        Element failed = step(d, 3).selectFirst("ul.expect li[data-passed=false]");
        assertTrue(failed.text().contains("every named customer has a city") && failed.text().contains("failed"), failed.text());
        assertTrue(failed.text().contains("ledger.count(\"customers\", \"name IS NOT NULL AND city IS NULL\") → 1"), failed.text());
    }

    @Test
    void replayReportNamesTheReplayedJournalAndShowsTheDivergenceRecordedVersusNow() throws Exception {
        Path recorded = ledger("recorded");
        Path pb = playbook();
        assertEquals(0, CliRunner.run("run", pb.toString(), "-w", recorded.toString(), "--yes").status());
        Path journal = TestWorkspaces.onlyJournal(recorded);
        Path today = ledger("today");
        sql(today, "INSERT INTO customers (id, name) VALUES (301, 'Ωmega')");
        Path html = dir.resolve("replay.html");
        CliRunner replay = CliRunner.run("replay", "-w", today.toString(), "--yes", journal.toString(), "--report", html.toString());
        assertEquals(1, replay.status(), replay.out() + replay.err());
        Document d = page(html);

        // The first step that changes customers (its schema) stops the replay: its rows before the step are not the recording's.
        assertTrue(d.getElementById("headline").text().startsWith("Replay diverged at step 'add city, its index and an audit trigger'"),
                d.getElementById("headline").text());
        assertTrue(d.getElementById("verdict").hasClass("bad"));
        assertFalse(d.getElementById("headline").text().contains("status"), d.getElementById("headline").text());
        assertTrue(d.selectFirst("#replay tr[data-fact=replayed]").text().contains(journal.toString()), d.getElementById("replay").text());
        assertTrue(d.getElementById("workspace-differences").text().contains("ledger.customers: recorded 300 rows, now 301"),
                d.getElementById("workspace-differences").text());
        Element value = d.selectFirst("#divergence tr[data-field='rows before']");
        assertEquals(List.of("300", "301"), value.select("td.differs").eachText(), d.getElementById("divergence").outerHtml());
        assertEquals("rolled-back", step(d, 2).attr("data-status"));
        assertTrue(step(d, 2).text().contains("the replay stopped here"), step(d, 2).text());

        Path replayJournal = TestWorkspaces.onlyJournal(today);
        CliRunner md = CliRunner.run("report", replayJournal.toString());
        assertEquals(0, md.status(), md.err());
        for (String s : List.of("## Replayed journal", "| **Journal** | `" + journal.toAbsolutePath().normalize(), "## Divergence",
                "| | recorded | now |", "| rows before | **300** | **301** |")) {
            assertTrue(md.out().contains(s), s + " missing in:\n" + md.out());
        }
    }

    @Test
    void aRunRefusedBeforeItsFirstStepStillNamesItsPlaybookAndWritesNothing() throws Exception {
        Path ws = ledger("refused");
        String before = TestWorkspaces.fileHash(ws.resolve("data/ledger.db"));
        Path pb = dir.resolve("needs-ticket.groovy");
        Files.writeString(pb, PLAYBOOK.replace("param 'ticket', 'none'", "param 'ticket'"));
        Path html = dir.resolve("refused.html");
        CliRunner r = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--yes", "--report", html.toString());
        assertTrue(r.status() != 0, r.out() + r.err());
        Document d = page(html);

        assertEquals("Refused before any step", d.getElementById("headline").text());
        assertTrue(d.getElementById("verdict-detail").text().contains("ticket"), d.getElementById("verdict-detail").text());
        assertTrue(fact(d, "playbook").contains("Grand livre"), fact(d, "playbook"));
        for (int i = 1; i <= 4; i++) {
            assertEquals("pending", step(d, i).attr("data-status"), "step " + i);
        }
        assertEquals(before, TestWorkspaces.fileHash(ws.resolve("data/ledger.db")), "a refused run leaves the tier as it was");
    }

    @Test
    void aChecksumDivergenceIsTabledFieldByField() throws Exception {
        Path recorded = ledger("cs-recorded");
        Path script = dir.resolve("cs.jsh");
        Files.writeString(script, "ledger.checksum(\"customers\")\n");
        assertEquals(0, CliRunner.run("console", "-w", recorded.toString(), "-f", script.toString()).status());
        Path today = ledger("cs-today");
        sql(today, "UPDATE customers SET name = 'Ève modifiée' WHERE id = 3");
        Path html = dir.resolve("cs.html");
        CliRunner r = CliRunner.run("replay", "-w", today.toString(), TestWorkspaces.onlyJournal(recorded).toString(), "--report", html.toString());
        assertEquals(1, r.status(), r.out() + r.err());
        Document d = page(html);

        assertEquals("Replay diverged at ledger.checksum(\"customers\")", d.getElementById("headline").text());
        Element rows = d.selectFirst("#divergence tr[data-field=rows]");
        assertEquals(List.of("300", "300"), rows.select("td").eachText());
        assertTrue(rows.select("td.differs").isEmpty(), "the row counts agree: " + rows.html());
        Element sha = d.selectFirst("#divergence tr[data-field=sha256]");
        assertEquals(2, sha.select("td.differs").size(), sha.html());
        assertTrue(sha.select("td").eachText().stream().allMatch(t -> t.matches("[0-9a-f]{64}")), sha.text());
    }

    @Test
    void journalWrittenBeforeSchemaChangesWereRecordedStillRendersAndSaysWhatItLacks() throws Exception {
        // Recorded by Sluice before this change (a step-mode run quit at step 3): no schema edits, no checksum values,
        // no expectation values, no ending in its finished event, no time zone in its header.
        Path old = dir.resolve("old.jsonl");
        try (var in = ReportTest.class.getResourceAsStream("run-journal-before-schema-changes.jsonl")) {
            Files.copy(in, old);
        }
        Path html = dir.resolve("old.html");
        CliRunner r = CliRunner.run("report", old.toString(), "-o", html.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        Document d = page(html);

        assertEquals("Stopped at step 3 of 4", d.getElementById("headline").text());
        assertEquals(List.of("committed", "committed", "rolled-back", "pending"),
                List.of(step(d, 1), step(d, 2), step(d, 3), step(d, 4)).stream().map(e -> e.attr("data-status")).toList());
        String gaps = d.getElementById("gaps").text();
        assertTrue(gaps.contains("does not record what changed in each table's schema"), gaps);
        assertTrue(gaps.contains("time zone"), gaps);
        assertEquals(1, step(d, 2).select("[data-schema=unknown]").size(), step(d, 2).html());
        assertTrue(fact(d, "playbook").contains("Ledger: give customers a city"), fact(d, "playbook"));

        CliRunner again = CliRunner.run("report", old.toString(), "-o", html.toString());
        assertEquals(2, again.status(), "an existing report is not overwritten");
        assertEquals(1, again.err().strip().lines().count(), again.err());
    }

    @Test
    void anErrorReadsItsKindOnce() throws Exception {
        Path ws = ledger("console");
        Path script = dir.resolve("s.jsh");
        Files.writeString(script, "ledger.count(\"customers\")\nledger.count(\"nope\")\n");
        CliRunner.run("console", "-w", ws.toString(), "-f", script.toString());
        Path html = dir.resolve("console.html");
        assertEquals(0, CliRunner.run("report", TestWorkspaces.onlyJournal(ws).toString(), "-o", html.toString()).status());
        String errors = page(html).select(".error").text();
        assertTrue(errors.startsWith("No such table: Tier 'ledger' has no table 'nope'"), errors);
        assertFalse(errors.contains("No such table: No such table"), errors);
    }

    @Test
    void postgresqlStepsReportTheirSchemaEditsToo() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            Path ws = dir.resolve("pg");
            Files.createDirectories(ws);
            Files.writeString(ws.resolve("sluice.json"), """
                    { "tiers": { "warehouse": { "url": "%s", "user": "%s" } } }
                    """.formatted(pg.url(), Postgres.USER));
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE clients (id bigint PRIMARY KEY, nom text, legacy text)");
                st.execute("INSERT INTO clients VALUES (1, 'Ève', NULL), (2, NULL, 'x'), (3, '李', NULL)");
            }
            Path pb = dir.resolve("pg.groovy");
            Files.writeString(pb, """
                    playbook 'Warehouse: clients get a city', {
                        tiers 'warehouse'
                        step 'reshape clients', {
                            warehouse.exec("ALTER TABLE clients ADD COLUMN city text DEFAULT 'Zürich'")
                            warehouse.exec("ALTER TABLE clients DROP COLUMN legacy")
                            warehouse.exec("CREATE INDEX clients_city ON clients (city)")
                            warehouse.exec("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'")
                            warehouse.exec("CREATE TRIGGER clients_touch BEFORE UPDATE ON clients FOR EACH ROW EXECUTE FUNCTION touch()")
                            warehouse.exec("INSERT INTO clients (id, nom) VALUES (4, 'Ωmega')")
                            expect('four clients') { warehouse.count('clients') == 4 }
                        }
                    }
                    """);
            Path html = dir.resolve("pg.html");
            CliRunner r = CliRunner.run("run", pb.toString(), "-w", ws.toString(), "--yes", "--report", html.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            Element s1 = step(page(html), 1);
            assertEquals("committed", s1.attr("data-status"));
            assertTrue(s1.selectFirst("li[data-kind=column][data-change=added]").text().contains("warehouse.clients.city"), s1.html());
            assertTrue(s1.selectFirst("li[data-kind=column][data-change=added]").text().contains("'Zürich'"), s1.html());
            assertTrue(s1.selectFirst("li[data-kind=column][data-change=dropped]").text().contains("warehouse.clients.legacy"), s1.html());
            assertTrue(s1.selectFirst("li[data-kind=index][data-change=added]").text().contains("clients_city"), s1.html());
            assertTrue(s1.selectFirst("li[data-kind=trigger][data-change=added]").text().contains("clients_touch"), s1.html());
            Element rows = s1.selectFirst("table.rows tr[data-table=warehouse.clients]");
            assertTrue(rows.text().contains("3 4 +1 (+33.3%)"), rows.text());
        }
    }
}
