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

    /** picocli's --version: Sluice, then the Java and every library whose version a bug report needs, one per line. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{
                    "sluice " + get(),
                    "  Java             " + Runtime.version() + " (" + System.getProperty("java.vendor", "?") + ", "
                            + System.getProperty("java.home", "?") + ")",
                    "  SQLite JDBC      " + jarVersion(driver("jdbc:sqlite:")),
                    "  PostgreSQL JDBC  " + jarVersion(driver("jdbc:postgresql:")),
                    "  Groovy           " + jarVersion(loaded("groovy.lang.GroovyObject")),
                    "  JLine            " + jarVersion(org.jline.terminal.Terminal.class),
                    "  picocli          " + CommandLine.VERSION};
        }

        /** The driver's class, found through JDBC (only tier, snapshot and data know the drivers' own classes). */
        private static Class<?> driver(String url) {
            try {
                return java.sql.DriverManager.getDriver(url).getClass();
            } catch (java.sql.SQLException e) {
                return null;
            }
        }

        /** A class by name without initialising it: Groovy's runtime costs a noticeable part of a second to start. */
        private static Class<?> loaded(String name) {
            try {
                return Class.forName(name, false, Version.class.getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                return null;
            }
        }

        /**
         * The version in the manifest of the jar a class was loaded from ({@code Implementation-Version}, else the OSGi
         * {@code Bundle-Version} these libraries all carry), or "not found".
         */
        static String jarVersion(Class<?> c) {
            if (c == null) {
                return "not found";
            }
            Package p = c.getPackage();
            if (p != null && p.getImplementationVersion() != null) {
                return p.getImplementationVersion();
            }
            try {
                java.security.CodeSource source = c.getProtectionDomain().getCodeSource();
                if (source == null || source.getLocation() == null) {
                    return "?";
                }
                java.nio.file.Path jar = java.nio.file.Path.of(source.getLocation().toURI());
                if (!java.nio.file.Files.isRegularFile(jar)) {
                    return "? (" + jar + ")"; // classes from a folder, not a jar
                }
                try (java.util.jar.JarFile f = new java.util.jar.JarFile(jar.toFile())) {
                    java.util.jar.Manifest m = f.getManifest();
                    String v = m == null ? null : m.getMainAttributes().getValue("Implementation-Version");
                    if (v == null && m != null) {
                        v = m.getMainAttributes().getValue("Bundle-Version");
                    }
                    return v == null ? "? (" + jar.getFileName() + ")" : v;
                }
            } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
                return "?";
            }
        }
    }
}
