package dev.sluice.snapshot;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.TierConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs PostgreSQL's own pg_dump, pg_restore and psql for one tier's schema. They are used rather than reading rows through
 * JDBC because pg_dump alone reproduces everything a schema holds (sequences with their positions, constraints,
 * indexes, functions, grants) in one transaction snapshot, and its script loads it back in one transaction. Connection
 * details come from the tier's JDBC URL, user and password; the password goes in the child's environment
 * ({@code PGPASSWORD}), never on its command line, where any local user could read it. Grants are kept; ownership is
 * not ({@code --no-owner}): restored objects belong to the tier's user, who must own them to drop them anyway.
 */
final class PgTools {
    static final String INSTALL = "Install the PostgreSQL client tools (Debian/Ubuntu: apt-get install postgresql-client; "
            + "macOS: brew install libpq) so that pg_dump, pg_restore and psql are on PATH, then run again.";

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

    /**
     * Loads a custom-format dump back into {@code schema} so that the schema holds what the dump holds and nothing else,
     * in one transaction of psql's: first every table, view, sequence, function and type of the schema is dropped (see
     * {@link #EMPTY_SCHEMA}), then pg_restore's own script of the dump runs ({@code --clean --if-exists}, for the kinds of
     * object not dropped before), and COMMIT is sent only once pg_restore has written its whole script and exited 0.
     * pg_restore --clean on its own drops only what the dump holds: a table made after the snapshot would survive the
     * restore, and a view made after it over a dumped table would even make the restore fail. Any error rolls the whole
     * transaction back: the schema is as it was. Memory stays flat: the script is streamed from one process to the other.
     */
    void restore(String schema, Path dump) {
        List<String> script = new ArrayList<>(List.of(require("pg_restore").toString(), "--clean", "--if-exists", "--no-owner",
                "-n", schema, "-f", "-", dump.toAbsolutePath().toString()));
        List<String> load = base(require("psql"));
        // -X: no ~/.psqlrc (it could turn autocommit off or echo); errors stop psql, and a transaction without COMMIT rolls back.
        load.addAll(List.of("-X", "-q", "-v", "ON_ERROR_STOP=1"));
        String what = "Restoring schema '" + schema + "' (pg_restore | psql)";
        String prelude = "SET client_min_messages = warning;\n"
                + "SELECT set_config('sluice.restore_schema', " + literal(schema) + ", false);\n"
                + "BEGIN;\n" + EMPTY_SCHEMA + "\n";
        Process producer = null;
        Process loader = null;
        try {
            loader = environment(new ProcessBuilder(load)).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            producer = environment(new ProcessBuilder(script)).start();
            CompletableFuture<String> producerErr = drain(producer.getErrorStream());
            CompletableFuture<String> loaderErr = drain(loader.getErrorStream());
            int producerRc = -1;
            try (OutputStream in = loader.getOutputStream()) {
                in.write(prelude.getBytes(StandardCharsets.UTF_8));
                producer.getInputStream().transferTo(in);
                producerRc = producer.waitFor();
                if (producerRc == 0) {
                    in.write("COMMIT;\n".getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // psql stopped reading: it met an error (ON_ERROR_STOP) and left; its own message says which.
                producer.destroyForcibly();
                producerRc = producer.waitFor();
            }
            int loaderRc = loader.waitFor();
            String loaderOut = loaderErr.join();
            if (loaderRc != 0) {
                throw failed(what, firstError(loaderOut, loaderRc) + "; its transaction rolled back, the schema is as it was");
            }
            if (producerRc != 0) {
                throw failed(what, firstError(producerErr.join(), producerRc) + "; nothing was committed, the schema is as it was");
            }
        } catch (IOException e) {
            destroy(producer, loader);
            throw new SluiceException(ErrorCode.SNAPSHOT, "Cannot run pg_restore | psql for tier '" + config.name() + "': " + e.getMessage()
                    + ". " + INSTALL, e);
        } catch (InterruptedException e) {
            // No COMMIT was sent, or it was and the restore is whole: psql's transaction rolls back when it dies.
            destroy(producer, loader);
            Thread.currentThread().interrupt();
            throw new SluiceException(ErrorCode.CANCELLED, what + " for tier '" + config.name() + "' was interrupted.", e);
        }
    }

    /**
     * Empties the schema named by {@code sluice.restore_schema} in the open transaction: drops its tables (partitioned
     * and foreign ones too), views, materialized views, sequences, functions, procedures, aggregates, and enum, domain,
     * range and composite types, each with RESTRICT and retried while another round drops something, so that objects go
     * in dependency order and nothing outside the schema is ever dropped in a cascade. Objects an extension owns, and
     * those that belong to another object (a table's row type, an identity sequence), are left to their owner. When
     * objects of other schemas depend on it (a view, a foreign key), it raises an error naming them: the restore then
     * rolls back whole, as pg_restore --clean would have failed on the same dependency.
     */
    static final String EMPTY_SCHEMA = """
            DO $sluice$
            DECLARE
                s text := current_setting('sluice.restore_schema');
                o record;
                left_oids oid[];
                left_names text[];
                dropped boolean := true;
                outside text;
            BEGIN
                WHILE dropped LOOP
                    dropped := false;
                    left_oids := '{}';
                    left_names := '{}';
                    FOR o IN
                        SELECT kind, ident, oid FROM (
                            SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                                                  WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind,
                                   format('%I.%I', n.nspname, c.relname) AS ident, 'pg_class'::regclass AS cls, c.oid
                            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
                            UNION ALL
                            SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
                                   format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)), 'pg_proc'::regclass, p.oid
                            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                            WHERE n.nspname = s
                            UNION ALL
                            SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, format('%I.%I', n.nspname, t.typname),
                                   'pg_type'::regclass, t.oid
                            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace LEFT JOIN pg_class r ON r.oid = t.typrelid
                            WHERE n.nspname = s AND (t.typtype IN ('e', 'd', 'r') OR t.typtype = 'c' AND r.relkind = 'c')
                        ) x
                        WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = x.cls AND d.objid = x.oid AND d.deptype IN ('e', 'x', 'i')
                                          AND NOT (d.refclassid = x.cls AND d.refobjid = x.oid))
                    LOOP
                        BEGIN
                            EXECUTE format('DROP %s IF EXISTS %s', o.kind, o.ident);
                            dropped := true;
                        EXCEPTION WHEN dependent_objects_still_exist THEN
                            left_oids := left_oids || o.oid;
                            left_names := left_names || (lower(o.kind) || ' ' || o.ident);
                        END;
                    END LOOP;
                END LOOP;
                IF cardinality(left_oids) > 0 THEN
                    SELECT string_agg(DISTINCT pg_describe_object(d.classid, d.objid, d.objsubid), ', ') INTO outside
                    FROM pg_depend d
                    WHERE d.refobjid = ANY (left_oids) AND d.deptype = 'n'
                      AND coalesce(CASE d.classid
                              WHEN 'pg_class'::regclass THEN (SELECT c.relnamespace FROM pg_class c WHERE c.oid = d.objid)
                              WHEN 'pg_rewrite'::regclass THEN (SELECT c.relnamespace FROM pg_rewrite w JOIN pg_class c ON c.oid = w.ev_class WHERE w.oid = d.objid)
                              WHEN 'pg_constraint'::regclass THEN (SELECT k.connamespace FROM pg_constraint k WHERE k.oid = d.objid)
                              WHEN 'pg_trigger'::regclass THEN (SELECT c.relnamespace FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid WHERE g.oid = d.objid)
                              WHEN 'pg_attrdef'::regclass THEN (SELECT c.relnamespace FROM pg_attrdef a JOIN pg_class c ON c.oid = a.adrelid WHERE a.oid = d.objid)
                              WHEN 'pg_proc'::regclass THEN (SELECT p.pronamespace FROM pg_proc p WHERE p.oid = d.objid)
                              WHEN 'pg_type'::regclass THEN (SELECT t.typnamespace FROM pg_type t WHERE t.oid = d.objid)
                          END, 0) <> (SELECT n.oid FROM pg_namespace n WHERE n.nspname = s);
                    RAISE EXCEPTION 'schema % cannot be emptied to load the snapshot, because objects in other schemas depend on %: % '
                        '(drop or change them, then restore again)', s, array_to_string(left_names, ', '), coalesce(outside, 'unknown');
                END IF;
            END
            $sluice$;""";

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
        ProcessBuilder pb = environment(new ProcessBuilder(cmd));
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

    /** The tools' environment: the password (never on the command line), the URL's sslmode, and Sluice's name in pg_stat_activity. */
    private ProcessBuilder environment(ProcessBuilder pb) {
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
        return pb;
    }

    /**
     * Reads a child's stream to its end on a thread of its own (not a shared pool, where it could queue behind other
     * work), so that a full pipe never stalls the child.
     */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete("");
            }
        }, "sluice-pg-stderr");
        t.setDaemon(true);
        t.start();
        return text;
    }

    /** The line that says what went wrong ("psql:<stdin>:12: ERROR:  …" made "…"), else the first line, else the status. */
    static String firstError(String output, int rc) {
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        String line = lines.stream().filter(l -> l.contains("ERROR:") || l.contains("FATAL:") || l.contains("error:")).findFirst()
                .orElse(lines.isEmpty() ? "exit status " + rc : lines.get(0));
        line = line.replaceFirst("^psql:[^:]*:\\d+: ", "").replaceFirst("^(ERROR|FATAL):\\s+", "");
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }

    private SluiceException failed(String what, String why) {
        return new SluiceException(ErrorCode.SNAPSHOT, what + " for tier '" + config.name() + "' (" + config.displayUrl() + ") failed: " + why + ".");
    }

    private static void destroy(Process... ps) {
        for (Process p : ps) {
            if (p != null) {
                p.destroyForcibly();
            }
        }
    }

    /** A SQL string literal (standard_conforming_strings, on by default since PostgreSQL 9.1). */
    private static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }
}
