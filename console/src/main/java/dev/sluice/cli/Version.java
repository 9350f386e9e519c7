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

        private static String sqliteJdbc() {
            Package p = org.sqlite.JDBC.class.getPackage();
            return p == null || p.getImplementationVersion() == null ? "?" : p.getImplementationVersion();
        }
    }
}
