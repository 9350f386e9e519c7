package dev.sluice.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.data.DataEvents;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 16: the console's line for a running task, as gh-ost's status line. */
class StatusLineTest {
    /** The line is redrawn with what terminfo gives the terminal (JLine reads it), not escapes written by hand. */
    @Test
    void theLineIsRedrawnWithTheTerminalsOwnCapabilities() throws Exception {
        try (org.jline.terminal.Terminal xterm = terminal("xterm"); org.jline.terminal.Terminal dumb = terminal("dumb")) {
            Progress.Line x = Progress.Line.of(xterm);
            assertEquals("\r", x.start());
            assertEquals("\u001b[K", x.clear(), "xterm's clr_eol");
            assertEquals("\r⠋ copy: 1/2 rows (50%)\u001b[K", x.draw("⠋ copy: 1/2 rows (50%)", 40));
            // No clear-to-end-of-line: what a longer line left is overwritten with spaces.
            Progress.Line d = Progress.Line.of(dumb);
            assertNull(d.clear());
            assertEquals("\rshort" + " ".repeat(15), d.draw("short", 20));
        }
    }

    private static org.jline.terminal.Terminal terminal(String type) throws java.io.IOException {
        return org.jline.terminal.TerminalBuilder.builder().system(false).type(type)
                .streams(new java.io.ByteArrayInputStream(new byte[0]), new java.io.ByteArrayOutputStream()).build();
    }

    @Test
    void rowsOfTheTotalWithRateAndEta() {
        assertEquals("copy tier1.conversations → tier3: 412,000/1,000,000 rows (41%), 180,000 rows/s, ETA 3.3 s",
                StatusLine.line("copy tier1.conversations → tier3", "rows", 412_000, 1_000_000, 412_000, 2_288_888_889L));
        // A resumed task: the rate counts this run's rows only; done: no ETA; unknown total: no percentage.
        assertEquals("fill: 600/1,000 rows (60%), 100 rows/s, ETA 4.0 s", StatusLine.line("fill", "rows", 600, 1000, 100, 1_000_000_000L));
        assertEquals("diff a.t ↔ b.t: 1,000/1,000 rows (100%), 500 rows/s", StatusLine.line("diff a.t ↔ b.t", "rows", 1000, 1000, 1000, 2_000_000_000L));
        assertEquals("restore: 4,096 pages", StatusLine.line("restore", "pages", 4096, 0, 0, 0));
    }

    @Test
    void aSnapshotsPhasesShowMegabytesOrTheirElapsedTime() {
        long mb = 1L << 20;
        assertEquals("snapshot pre: copying tier1: 412/640 MB (64%), 206 MB/s, ETA 1.1 s",
                StatusLine.line("snapshot pre: copying tier1", "bytes", 412 * mb, 640 * mb, 412 * mb, 2_000_000_000L));
        assertEquals("restore pre: verifying the manifest: 2.5/8.0 MB (31%), 2.5 MB/s, ETA 2.2 s",
                StatusLine.line("restore pre: verifying the manifest", "bytes", 5 * mb / 2, 8 * mb, 5 * mb / 2, 1_000_000_000L));
        assertEquals("snapshot pre: counting tier1's rows: 3/7 tables (42%), 3 tables/s, ETA 1.3 s",
                StatusLine.line("snapshot pre: counting tier1's rows", "tables", 3, 7, 3, 1_000_000_000L));
        // integrity_check reports no amount: the phase and how long it has run.
        assertEquals("snapshot pre: integrity_check tier1 (2.5 s)", StatusLine.line("snapshot pre: integrity_check tier1", "", 0, 0, 0, 2_500_000_000L));
    }

    @Test
    void theRunningTaskShowsUntilItClosesAndNotesGoThrough() {
        List<String> notes = new ArrayList<>();
        StatusLine s = new StatusLine(new DataEvents() {
            @Override
            public void note(String line) {
                notes.add(line);
            }
        });
        assertTrue(s.listening(), "on a terminal the console always watches");
        assertNull(s.text());
        try (DataEvents.Progress p = s.started("copy a.t → b", "rows", 10, 0, false)) {
            p.stepTo(4);
            assertTrue(s.text().startsWith("copy a.t → b: 4/10 rows (40%)"), s.text());
        }
        assertNull(s.text(), "closed: the spinner goes back to the elapsed time");
        s.note("journal_mode switched");
        assertEquals(List.of("journal_mode switched"), notes);
    }
}
