package dev.sluice.data;

import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.LongConsumer;
import org.sqlite.ProgressHandler;

/**
 * Progress inside the one {@code INSERT … SELECT} of a SQLite → SQLite raw copy, which would otherwise jump from 0 to
 * 100%. SQLite's raw-copy program does a fixed number of VM steps per row (its plan, read with EXPLAIN before the load:
 * Rowid, NotExists, RowCell, Insert, Next for the table, RowCell, IdxInsert, Next for each index it copies), so a
 * progress handler called every {@value #STEPS} steps advances the load by that many rows' worth: an estimate, which
 * the copy's end replaces with the real count. Installed only when someone watches; any other plan gets none.
 */
final class LoadProgress implements AutoCloseable {
    static final int STEPS = 4096;

    private final Connection connection;

    private LoadProgress(Connection connection) {
        this.connection = connection;
    }

    /**
     * Watches {@code sql} (about to run on {@code to}'s connection) and reports estimated rows to {@code adding}; null
     * when nobody listens ({@code adding} null) or the plan is not a raw copy.
     */
    static LoadProgress watch(Tier to, String sql, LongConsumer adding) {
        if (adding == null) {
            return null;
        }
        Connection c = TierInternals.connection(to);
        int perRow;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("EXPLAIN " + sql)) {
            int rowData = 0;
            int indexes = 0;
            boolean probes = false;
            while (rs.next()) {
                switch (rs.getString("opcode")) {
                    case "RowData", "RowCell" -> rowData++; // RowCell: SQLite 3.43+'s raw copy of a cell
                    case "IdxInsert" -> indexes++;
                    case "NotExists" -> probes = true;
                    default -> { }
                }
            }
            if (rowData != indexes + 1) {
                return null; // not the raw copy (or not one loop per b-tree): no steady number of steps per row to go by
            }
            perRow = (probes ? 5 : 3) + 3 * indexes;
        } catch (SQLException e) {
            return null; // no estimate; the load reports its end as before
        }
        double rowsPerCall = (double) STEPS / perRow;
        ProgressHandler handler = new ProgressHandler() {
            private double owed;

            @Override
            protected int progress() {
                owed += rowsPerCall;
                long whole = (long) owed;
                owed -= whole;
                adding.accept(whole);
                return 0; // never interrupts: Ctrl-C goes through the connection's interrupt, as for any statement
            }
        };
        try {
            ProgressHandler.setHandler(c, STEPS, handler);
        } catch (SQLException e) {
            return null;
        }
        return new LoadProgress(c);
    }

    @Override
    public void close() {
        try {
            ProgressHandler.clearHandler(connection);
        } catch (SQLException e) {
            // the connection is closing: its handler goes with it
        }
    }
}
