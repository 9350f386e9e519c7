package dev.sluice.tier;

import java.util.Optional;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteUpdateListener;

/**
 * SQLite's update hook behind a Sluice type: told the schema and table of every row a tier's connection changes, so
 * the layers above (a step attributing its writes) never see {@code org.sqlite}. Closed, it stops listening.
 */
public final class RowWatch implements AutoCloseable {
    /** One changed row: {@code schema} is {@code main} or an attached file's name. */
    @FunctionalInterface
    public interface Listener {
        void changed(String schema, String table);
    }

    private final Tier tier;
    private final SQLiteConnection connection;
    private final SQLiteUpdateListener hook;

    private RowWatch(Tier tier, SQLiteConnection connection, SQLiteUpdateListener hook) {
        this.tier = tier;
        this.connection = connection;
        this.hook = hook;
    }

    /** Watches the rows {@code tier}'s connection changes; empty when the tier is not SQLite (no update hook). */
    public static Optional<RowWatch> on(Tier tier, Listener listener) {
        if (!(tier.connection() instanceof SQLiteConnection sc)) {
            return Optional.empty();
        }
        SQLiteUpdateListener hook = (type, db, table, rowId) -> listener.changed(db, table);
        sc.addUpdateListener(hook);
        return Optional.of(new RowWatch(tier, sc, hook));
    }

    @Override
    public void close() {
        if (!tier.isClosed()) { // a closed (archived) tier's connection took its hooks with it
            connection.removeUpdateListener(hook);
        }
    }
}
