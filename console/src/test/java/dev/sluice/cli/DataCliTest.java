package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataCliTest {
    @TempDir
    Path dir;

    private static void sql(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    @Test
    void copyThenDiffThroughTheCli() throws Exception {
        Path ws = dir.resolve("demo");
        assertEquals(0, CliRunner.run("demo", ws.toString()).status());
        CliRunner copy = CliRunner.run("copy", "-w", ws.toString(), "tier1", "conversations", "tier3", "--into", "conv_copy");
        assertEquals(0, copy.status(), copy.err());
        assertTrue(copy.out().contains("verified: count and checksum match"), copy.out());

        sql(ws.resolve("data/tier3.db"), "UPDATE conv_copy SET title = 'changed' WHERE id = 3");
        CliRunner diff = CliRunner.run("diff", "-w", ws.toString(), "tier1", "conversations", "tier3", "--table-b", "conv_copy");
        assertEquals(ErrorCode.FAILURE.exitStatus(), diff.status(), diff.err());
        assertTrue(diff.out().contains("changed: [3]"), diff.out());
        // Issue 16: progress is for a person at a terminal; in a pipe neither stream gets a bar.
        assertEquals("", copy.err());
        assertEquals("", diff.err());
        for (String printed : new String[]{copy.out(), diff.out()}) {
            assertTrue(!printed.contains("\r"), "no redrawn line: " + printed);
        }

        CliRunner again = CliRunner.run("copy", "-w", ws.toString(), "tier1", "no_such_table", "tier3");
        assertEquals(ErrorCode.NO_SUCH_TABLE.exitStatus(), again.status());
        assertEquals(1, again.err().strip().lines().count(), again.err());
    }
}
