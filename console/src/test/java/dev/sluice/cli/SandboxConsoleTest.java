package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.error.ErrorCode;
import dev.sluice.testing.Postgres;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice console --sandbox} (issue 13, point 1), through Main with piped input. */
class SandboxConsoleTest {
    private static final Pattern FILES_IN = Pattern.compile("files in (\\S+?)[,;)]");
    private static final Pattern DATABASE = Pattern.compile("database (sluice_sandbox_[0-9a-f]+)");

    @TempDir
    Path dir;

    /** A workspace with a WAL tier and a rollback-journal tier, each with table t holding one row. */
    private Path workspace() throws Exception {
        Path ws = dir.resolve("ws");
        Files.createDirectories(ws.resolve("data"));
        for (String name : List.of("walt", "plain")) {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + ws.resolve("data/" + name + ".db")); Statement st = c.createStatement()) {
                st.execute("PRAGMA journal_mode = " + (name.equals("walt") ? "WAL" : "DELETE"));
                st.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
                st.execute("INSERT INTO t VALUES (1, 'live')");
            }
        }
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("walt", TierSpec.of("data/walt.db"));
        tiers.put("plain", TierSpec.of("data/plain.db"));
        Workspace.write(ws, new Workspace.File(tiers, null, null));
        return ws;
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    private static long rows(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Path filesIn(String err) {
        Matcher m = FILES_IN.matcher(err);
        assertTrue(m.find(), "the output says where the copies are: " + err);
        return Path.of(m.group(1));
    }

    private static final String WRITES = """
            walt.exec("insert into t values (2, 'sandbox')")
            plain.exec("insert into t values (2, 'sandbox')")
            walt.count("t")
            plain.count("t")
            """;

    @Test
    void writeInSandboxConsoleNeverReachesLiveTiersAndCopiesAreDroppedOnExit() throws Exception {
        Path ws = workspace();
        Path walt = ws.resolve("data/walt.db");
        Path plain = ws.resolve("data/plain.db");
        String waltBefore = sha256(walt);
        String plainBefore = sha256(plain);
        CliRunner r = CliRunner.runWithInput(WRITES, "console", "-w", ws.toString(), "--sandbox");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(List.of("1", "1", "2", "2"), r.out().strip().lines().toList(), "the writes are visible in the sandbox: " + r.out());
        assertEquals(waltBefore, sha256(walt), "the live WAL tier's file is byte-identical");
        assertEquals(plainBefore, sha256(plain), "the live rollback-journal tier's file is byte-identical");
        assertEquals(1, rows(walt));
        assertEquals(1, rows(plain));
        Path copies = filesIn(r.err());
        assertFalse(Files.exists(copies), "the sandbox folder is gone after exit: " + copies);
        assertTrue(r.err().strip().startsWith("SANDBOX: "), r.err());
        assertTrue(r.err().contains("SANDBOX: copies dropped"), r.err());
        // Journaled like any other session, into the live workspace's journal folder, its header marked sandbox.
        List<Path> journals;
        try (Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            journals = s.filter(p -> p.toString().endsWith(".jsonl")).toList();
        }
        assertEquals(1, journals.size(), journals.toString());
        JsonNode header = new ObjectMapper().readTree(Files.readAllLines(journals.get(0)).get(0));
        assertEquals("header", header.path("type").asText(), header.toString());
        assertTrue(header.toString().contains("\"sandbox\":true"), header.toString());
        assertTrue(Files.readString(journals.get(0)).contains("insert into t values (2, 'sandbox')"));
    }

    @Test
    void keepLeavesTheCopiesInDirAndSaysWhere() throws Exception {
        Path ws = workspace();
        String waltBefore = sha256(ws.resolve("data/walt.db"));
        Path keep = dir.resolve("kept");
        CliRunner r = CliRunner.runWithInput(WRITES, "console", "-w", ws.toString(), "--sandbox", "--keep", keep.toString(), "--no-journal");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("SANDBOX: copies kept: files in " + keep.toAbsolutePath()), r.err());
        assertEquals(2, rows(keep.resolve("walt.db")), "the kept copy holds the sandbox's write");
        assertEquals(2, rows(keep.resolve("plain.db")));
        assertEquals(2, Files.readAllBytes(keep.resolve("walt.db"))[18], "the WAL tier's copy is a WAL database, as the live one");
        assertEquals(1, Files.readAllBytes(keep.resolve("plain.db"))[18], "the rollback-journal tier's copy is not");
        assertEquals(waltBefore, sha256(ws.resolve("data/walt.db")));
        assertFalse(Files.exists(ws.resolve("sessions")) && Files.list(ws.resolve("sessions")).findAny().isPresent(), "--no-journal");
    }

    @Test
    void keepIntoAFolderHoldingACopyIsRefusedBeforeAnythingIsCopied() throws Exception {
        Path ws = workspace();
        Path keep = dir.resolve("kept");
        Files.createDirectories(keep);
        Files.writeString(keep.resolve("plain.db"), "mine");
        CliRunner r = CliRunner.runWithInput("", "console", "-w", ws.toString(), "--sandbox", "--keep", keep.toString());
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("already holds plain.db"), r.err());
        assertEquals("mine", Files.readString(keep.resolve("plain.db")));
        assertFalse(Files.exists(keep.resolve("walt.db")), "nothing copied before everything was checked");
    }

    @Test
    void keepWithoutSandboxIsAUsageError() throws Exception {
        Path ws = workspace();
        CliRunner r = CliRunner.run("console", "-w", ws.toString(), "--keep", dir.resolve("k").toString(), "-e", "1");
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status());
        assertTrue(r.err().contains("needs --sandbox"), r.err());
    }

    @Test
    void postgresTierIsCopiedIntoAScratchDatabaseThatIsDroppedOnExit() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE t (id integer PRIMARY KEY, v text)");
                st.execute("INSERT INTO t VALUES (1, 'live')");
            }
            Path ws = dir.resolve("pgws");
            Workspace.write(ws, new Workspace.File(Map.of("wh", new TierSpec(pg.url(), Postgres.USER, null, null, false, false, false)), null, null));
            CliRunner r = CliRunner.runWithInput("wh.exec(\"insert into t values (2, 'sandbox')\")\nwh.count(\"t\")\n",
                    "console", "-w", ws.toString(), "--sandbox", "--no-journal");
            assertEquals(0, r.status(), r.out() + r.err());
            assertEquals(List.of("1", "2"), r.out().strip().lines().toList(), r.out());
            try (Connection c = pg.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM t")) {
                rs.next();
                assertEquals(1, rs.getLong(1), "the live table is untouched");
            }
            Matcher m = DATABASE.matcher(r.err());
            assertTrue(m.find(), r.err());
            assertFalse(databaseExists(m.group(1)), "the scratch database is dropped on exit: " + m.group(1));
        }
    }

    private static boolean databaseExists(String name) throws Exception {
        try (Connection c = DriverManager.getConnection(Postgres.BASE_URL, Postgres.USER, ""); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }
}
