package dev.sluice.snapshot;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.TierConfig;
import java.io.File;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs PostgreSQL's own pg_dump and pg_restore for one tier's schema. They are used rather than reading rows through
 * JDBC because pg_dump alone reproduces everything a schema holds (sequences with their positions, constraints,
 * indexes, functions, grants) in one transaction snapshot, and pg_restore loads it back in one transaction. Connection
 * details come from the tier's JDBC URL, user and password; the password goes in the child's environment
 * ({@code PGPASSWORD}), never on its command line, where any local user could read it. Grants are kept; ownership is
 * not ({@code --no-owner}): restored objects belong to the tier's user, who must own them to drop them anyway.
 */
final class PgTools {
    static final String INSTALL = "Install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client; "
            + "macOS: brew install libpq) so that pg_dump and pg_restore are on PATH, then run again.";

    private final TierConfig config;
    private final String host;
    private final String port;
    private final String database;
    private final Map<String, String> params;

    private PgTools(TierConfig config, String host, String port, String database, Map<String, String> params) {
        this.config = config;
        this.host = host;
        this.port = port;
        this.database = database;
        this.params = params;
    }

    /** Parses {@code jdbc:postgresql://host:port/db?k=v&…} (host, port and the // part may be left out, as JDBC allows). */
    static PgTools of(TierConfig config) {
        String rest = config.url().substring("jdbc:postgresql:".length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String host = null;
        String port = null;
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            String hostPort = slash < 0 ? rest.substring(2) : rest.substring(2, slash);
            rest = slash < 0 ? "" : rest.substring(slash + 1);
            if (hostPort.contains(",")) {
                throw new SluiceException(ErrorCode.UNSUPPORTED, "Tier '" + config.name() + "' names several hosts (" + hostPort
                        + "); pg_dump needs one. Point the tier's URL at the primary to snapshot it.");
            }
            int colon = hostPort.lastIndexOf(':');
            if (colon > 0 && !hostPort.endsWith("]")) {
                host = hostPort.substring(0, colon);
                port = hostPort.substring(colon + 1);
            } else if (!hostPort.isEmpty()) {
                host = hostPort;
            }
            if (host != null && host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String kv : query.split("&")) {
            if (!kv.isEmpty()) {
                int eq = kv.indexOf('=');
                String k = eq < 0 ? kv : kv.substring(0, eq);
                String v = eq < 0 ? "" : kv.substring(eq + 1);
                params.put(k, URLDecoder.decode(v, StandardCharsets.UTF_8));
            }
        }
        String database = URLDecoder.decode(rest, StandardCharsets.UTF_8);
        return new PgTools(config, host, port, database.isEmpty() ? null : database, params);
    }

    /** The tool's path, or a refusal naming the package to install. Checked before anything is written. */
    static Path require(String tool) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                if (!d.isEmpty()) {
                    Path p = Path.of(d, tool);
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        return p;
                    }
                }
            }
        }
        throw new SluiceException(ErrorCode.UNSUPPORTED, tool + " is not on PATH; it is needed to snapshot and restore PostgreSQL tiers. "
                + INSTALL + " Nothing was written.");
    }

    /** Dumps {@code schema} in pg_dump's custom format, reading in the exported transaction snapshot {@code snapshotId}. */
    void dump(String schema, String snapshotId, Path out) {
        List<String> cmd = base(require("pg_dump"));
        cmd.addAll(List.of("--format=custom", "--no-owner", "--snapshot=" + snapshotId, "-n", quoteSchema(schema),
                "-f", out.toAbsolutePath().toString()));
        run(cmd, "pg_dump of schema '" + schema + "'");
    }

    /** Loads a custom-format dump's objects of {@code schema} back, dropping each first, all in one transaction. */
    void restore(String schema, Path dump) {
        List<String> cmd = base(require("pg_restore"));
        cmd.addAll(List.of("--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner",
                "-n", schema, "-d", database(), dump.toAbsolutePath().toString()));
        run(cmd, "pg_restore into schema '" + schema + "'");
    }

    private List<String> base(Path tool) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool.toString());
        cmd.add("--no-password");
        if (host != null) {
            cmd.addAll(List.of("-h", host));
        }
        if (port != null) {
            cmd.addAll(List.of("-p", port));
        }
        String user = user();
        if (user != null) {
            cmd.addAll(List.of("-U", user));
        }
        if (!cmd.get(0).endsWith("pg_restore")) {
            cmd.addAll(List.of("-d", database()));
        }
        return cmd;
    }

    private String database() {
        return database != null ? database : user() != null ? user() : "postgres";
    }

    private String user() {
        return config.user() != null && !config.user().isEmpty() ? config.user() : params.get("user");
    }

    /** pg_dump's -n takes a pattern: quoting keeps upper case and characters such as '*' or '.' literal. */
    private static String quoteSchema(String schema) {
        return "\"" + schema.replace("\"", "\"\"") + "\"";
    }

    private void run(List<String> cmd, String what) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        String password = config.password() != null && !config.password().isEmpty() ? config.password().reveal() : params.get("password");
        env.remove("PGPASSWORD");
        if (password != null) {
            env.put("PGPASSWORD", password);
        }
        if (params.containsKey("sslmode")) {
            env.put("PGSSLMODE", params.get("sslmode"));
        }
        env.put("PGAPPNAME", "sluice");
        pb.redirectErrorStream(true);
        Process p = null;
        try {
            p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int rc = p.waitFor();
            if (rc != 0) {
                String first = output.lines().filter(l -> !l.isBlank()).findFirst().orElse("exit status " + rc);
                throw new SluiceException(ErrorCode.SNAPSHOT, what + " for tier '" + config.name() + "' (" + config.displayUrl() + ") failed: "
                        + first.strip() + ".");
            }
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot run " + cmd.get(0) + " for tier '" + config.name() + "': " + e.getMessage()
                    + ". " + INSTALL, e);
        } catch (InterruptedException e) {
            // pg_restore's single transaction rolls back when it dies; pg_dump's partial file is removed with the folder.
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, what + " for tier '" + config.name() + "' was interrupted.", e);
        }
    }
}
