package dev.sluice.tier;

import dev.sluice.workspace.TierConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

/**
 * A child JVM for {@link NativeLibraryTest}: a plain JDBC connection opens first (the driver loads its own library),
 * then a Tier, then another plain connection reads and backs up, as {@code Snapshots.backup} does. With two SQLite
 * libraries loaded in one process this crashed the JVM (SIGSEGV in column_text) within a few rounds.
 */
public final class DriverFirstChild {
    private DriverFirstChild() {
    }

    public static void main(String[] args) throws Exception {
        Path base = Path.of(args[0]);
        for (int round = 0; round < 20; round++) {
            Path dir = Files.createDirectories(base.resolve("r" + round));
            Path db = dir.resolve("x.db");
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode=WAL");
                st.execute("CREATE TABLE t(a)");
                st.execute("INSERT INTO t VALUES ('x')");
            }
            TierConfig cfg = new TierConfig("t", "jdbc:sqlite:" + db, null, null, Map.of(), true, false, false, db);
            try (Tier tier = Tier.open(cfg)) {
                tier.count("t");
                org.sqlite.SQLiteConfig sc = new org.sqlite.SQLiteConfig();
                sc.setBusyTimeout(5000);
                sc.setReadOnly(true);
                try (Connection c = sc.createConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
                    try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                        rs.next();
                        rs.getString(1);
                    }
                    ((org.sqlite.SQLiteConnection) c).getDatabase().backup("main", dir.resolve("out.db").toString(), (r, p) -> { }, 100, 50, -1);
                }
            }
        }
        Path maps = Path.of("/proc/self/maps");
        if (Files.isReadable(maps)) {
            // Every distinct file of the native library mapped into this process: one, or two SQLite copies are loaded.
            long copies = Files.readAllLines(maps).stream().map(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .filter(f -> f.contains("sqlitejdbc")).distinct().count();
            System.out.println("native libraries " + copies);
        }
        System.out.println("done");
    }
}
