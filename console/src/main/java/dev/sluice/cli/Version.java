package dev.sluice.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Sluice's version, from the build (resources filtered by Maven). */
public final class Version {
    private Version() {
    }

    public static String get() {
        try (InputStream in = Version.class.getResourceAsStream("/sluice-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    /** picocli's --version. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"sluice " + get() + " (Java " + Runtime.version() + ", SQLite JDBC " + sqliteJdbc() + ")"};
        }

        /** The driver's jar version, found through JDBC (only tier, snapshot and data know the driver's own classes). */
        private static String sqliteJdbc() {
            try {
                Package p = java.sql.DriverManager.getDriver("jdbc:sqlite:").getClass().getPackage();
                return p == null || p.getImplementationVersion() == null ? "?" : p.getImplementationVersion();
            } catch (java.sql.SQLException e) {
                return "?";
            }
        }
    }
}
