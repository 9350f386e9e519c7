package dev.sluice.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15: engine code never prints; copy notes and backfill progress go to the listener the session's owner installed. */
class DataEventsTest {
    @TempDir
    Path dir;

    /** What a front end would draw, recorded. */
    private static final class Recorder implements DataEvents {
        final List<String> notes = new ArrayList<>();
        final List<String> progress = new ArrayList<>();

        @Override
        public void note(String line) {
            notes.add(line);
        }

        @Override
        public Progress started(String task, String unit, long total, long done, boolean forced) {
            progress.add("start " + unit + " " + done + "/" + total + (forced ? " forced" : ""));
            return new Progress() {
                @Override
                public void stepTo(long n) {
                    progress.add("at " + n);
                }

                @Override
                public void close() {
                    progress.add("end");
                }
            };
        }
    }

    @Test
    void copyNotesAndBackfillProgressGoToTheSessionsListenerAndNothingIsPrinted() {
        DataTiers.sqlite(dir.resolve("data/a.db")).close();
        DataTiers.sqlite(dir.resolve("data/b.db")).close();
        TestWorkspaces.sqlite(dir, "a", "b");
        Recorder heard = new Recorder();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream err = System.err;
        PrintStream out = System.out;
        try (Session s = Session.open(dir); Sluice.Binding bound = Sluice.bind(s)) {
            s.useEvents(heard);
            Tier a = s.tier("a");
            Tier b = s.tier("b");
            b.query("PRAGMA journal_mode=WAL");
            a.script("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); "
                    + "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO t SELECT i, 'v' || i FROM n;");
            System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                Sluice.copy(a, "t", b, CopyOptions.defaults().walSwitchRows(1000)); // switches WAL -> DELETE and back: announced
                Sluice.backfill(a, "UPDATE t SET v = upper(v) WHERE id BETWEEN :lo AND :hi", BackfillOptions.defaults().batchRows(500).progress(true));
            } finally {
                System.setErr(err);
                System.setOut(out);
            }
        }
        assertEquals("", printed.toString(StandardCharsets.UTF_8));
        assertEquals(2, heard.notes.size(), heard.notes.toString());
        assertTrue(heard.notes.get(0).contains("WAL → DELETE"), heard.notes.get(0));
        assertEquals(List.of("start rows 0/2000 forced", "at 500", "at 1000", "at 1500", "at 2000", "end"), heard.progress);
    }
}
