package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.SluiceException;
import dev.sluice.testing.Postgres;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.workspace.TierConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checksum's documented encoding (README.md, "Checksums"): test vectors, order, and engine independence.
 * The vectors below are the README's table; they were computed independently of this code (Python's hashlib).
 */
class ChecksumTest {
    /** (id, SQL literal of x, sha256 of that single row) for table v(id INTEGER PRIMARY KEY, x). */
    static final List<String[]> VECTORS = List.of(
            new String[]{"1", "NULL", "c3116622141433126af04b2b3eb2e065f5bff15174bf6ec458df8d33420394db"},
            new String[]{"2", "42", "9d2a7e122f5589d07330b104cbe1922d6cff366da24718d012b0df1b47e4a31b"},
            new String[]{"3", "-1", "f8fd119b635657041b29f3016d4818bac7f3590684392bb9818fbbe7a9e12753"},
            new String[]{"4", "1.5", "d95f132d5386f3a292600f0a692952278effa0f74299ec0401e7f7059afd0994"},
            new String[]{"5", "-0.0", "a976ee1e2e785a2c41f2cd23dee11f357dec2468a5b61403dec0670d825891bd"},
            new String[]{"6", "'héllo ✓ 𝄞'", "1f4b962a37d04dee4d8116b0ea22741283780e52aaf766d4a74cbebf25ed099d"},
            new String[]{"7", "''", "6fbca214cf010f8210df7904b36e74126a7510fabb6f3c3847789054e79d5ec9"},
            new String[]{"8", "x'00ff'", "c29a0f1bb2669b85a931325f7f47b51c58606accb0cc3c2094749c9dbc163fa6"});
    static final String ALL_ROWS = "2e4bc6feed2663abb63b9eb9b73534e701845f1be5650e8171d1399356ab804e";
    static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @TempDir
    Path dir;

    Tier t;

    @BeforeEach
    void open() {
        t = TestWorkspaces.tier(dir, "t1");
        t.exec("CREATE TABLE v (id INTEGER PRIMARY KEY, x)");
    }

    @AfterEach
    void close() {
        t.close();
    }

    @Test
    void testVectorsMatchTheReadme() {
        assertEquals(new Checksum(0, EMPTY), t.checksum("v"));
        for (String[] v : VECTORS) {
            // -0.0 as a literal is folded to 0 by SQLite's parser; bind it so the stored value really is -0.0.
            if (v[1].equals("-0.0")) {
                t.exec("INSERT INTO v VALUES (?, ?)", Long.parseLong(v[0]), -0.0d);
            } else {
                t.exec("INSERT INTO v VALUES (" + v[0] + ", " + v[1] + ")");
            }
            assertEquals(new Checksum(1, v[2]), t.checksum("v", null, "id = ?", Long.parseLong(v[0])), "row " + v[0] + " x=" + v[1]);
        }
        assertEquals(new Checksum(VECTORS.size(), ALL_ROWS), t.checksum("v"));
    }

    @Test
    void readmeListsTheSameVectors() throws Exception {
        Path readme = Path.of("../README.md");
        if (!Files.exists(readme)) {
            readme = Path.of("README.md");
        }
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        for (String[] v : VECTORS) {
            Matcher m = Pattern.compile("\\| `\\(" + Pattern.quote(v[0] + ", " + v[1]) + "\\)` \\| `([0-9a-f]{64})` \\|").matcher(text);
            assertTrue(m.find(), "README has no vector row for (" + v[0] + ", " + v[1] + ")");
            assertEquals(v[2], m.group(1), "README vector for (" + v[0] + ", " + v[1] + ")");
        }
        assertTrue(text.contains("`" + ALL_ROWS + "`"), "README lists the all-rows vector");
    }

    @Test
    void encodingIsTagAndCanonicalBytes() {
        Checksummer c = new Checksummer(t);
        assertEquals("4e", encoded(c, null));
        assertEquals("49000000000000002a", encoded(c, 42));
        assertEquals("49000000000000002a", encoded(c, (short) 42));
        assertEquals("49000000000000002a", encoded(c, new BigDecimal("42.000")));
        assertEquals("490000000000000001", encoded(c, true));
        assertEquals("523ff8000000000000", encoded(c, 1.5f));
        assertEquals("523ff8000000000000", encoded(c, new BigDecimal("1.5")));
        assertEquals("520000000000000000", encoded(c, -0.0d));
        assertEquals(encoded(c, Double.NaN), encoded(c, Double.longBitsToDouble(0x7ff8000000000001L)));
        assertEquals("5400000002c3a9", encoded(c, "é"));
        assertEquals(encoded(c, 1e20), encoded(c, new java.math.BigInteger("100000000000000000000")));
        assertEquals(encoded(c, 1e20), encoded(c, new BigDecimal("100000000000000000000")));
        assertEquals("420000000200ff", encoded(c, new byte[]{0, (byte) 0xff}));
    }

    private static String encoded(Checksummer c, Object v) {
        return HexFormat.of().formatHex(c.encodeForTest(v));
    }

    @Test
    void sameRowsInAnyInsertionOrderGiveTheSameChecksumWithoutAPrimaryKey() {
        t.exec("CREATE TABLE n1 (a TEXT, b INTEGER)");
        t.exec("CREATE TABLE n2 (a TEXT, b INTEGER)");
        t.exec("INSERT INTO n1 VALUES ('b', 1), ('a', 2), (NULL, 3), ('a', 1), ('a', 1), ('é', NULL)");
        t.exec("INSERT INTO n2 VALUES ('é', NULL), ('a', 1), ('a', 2), ('a', 1), ('b', 1), (NULL, 3)");
        assertEquals(t.checksum("n1"), t.checksum("n2"));
        assertEquals(6, t.checksum("n1").rows());
        t.exec("UPDATE n2 SET b = 4 WHERE b = 3");
        assertNotEquals(t.checksum("n1"), t.checksum("n2"));
    }

    @Test
    void columnsAndWhereChooseWhatIsHashed() {
        t.exec("INSERT INTO v VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        assertEquals(2, t.checksum("v", List.of("x"), "id >= ?", 2).rows());
        assertEquals(1, t.checksum("v", null, "x = ?", new StringBuilder("b")).rows(), "text-like arguments bind as text");
        assertNotEquals(t.checksum("v", List.of("x")), t.checksum("v"));
        SluiceException e = assertThrows(SluiceException.class, () -> t.checksum("v", List.of("nope")));
        assertTrue(e.getMessage().contains("no column 'nope'"), e.getMessage());
    }

    @Test
    void checksumDoesNotDependOnTheDeclaredTypeOnlyOnTheValues() {
        t.exec("CREATE TABLE typed (id INTEGER PRIMARY KEY, x TEXT)");
        t.exec("INSERT INTO v VALUES (1, 'x'), (2, 'héllo')");
        t.exec("INSERT INTO typed VALUES (1, 'x'), (2, 'héllo')");
        assertEquals(t.checksum("v"), t.checksum("typed"));
    }

    @Test
    void largeRowsAndManyRowsAreStreamed() {
        t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                + "INSERT INTO v SELECT i, CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN i * 7 WHEN 2 THEN i / 3.0 "
                + "WHEN 3 THEN printf('row %d ✓', i) ELSE randomblob(i % 50) END FROM n");
        t.exec("INSERT INTO v VALUES (30000, zeroblob(3000000))");
        Checksum c = t.checksum("v");
        assertEquals(20001, c.rows());
        assertEquals(c, t.checksum("v"));
    }

    @Test
    void cancelledChecksumStopsInOneLineAndLeavesNoHashingThread() throws Exception {
        t.exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) INSERT INTO v SELECT i, i FROM n");
        var running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> t.checksum("v", null, "length(randomblob(20000)) > 0"));
        Thread.sleep(150);
        t.cancel();
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> running.get(30, java.util.concurrent.TimeUnit.SECONDS));
        SluiceException se = (SluiceException) e.getCause();
        assertEquals(dev.sluice.error.ErrorCode.CANCELLED, se.code(), se.getMessage());
        assertEquals(1, se.getMessage().lines().count());
        Thread.sleep(100);
        assertTrue(Thread.getAllStackTraces().keySet().stream().noneMatch(th -> th.getName().equals("sluice-checksum-sha256") && th.isAlive()),
                "the SHA-256 thread ends with the read");
        assertEquals(200000, t.checksum("v").rows(), "the tier still works after a cancel");
    }

    /** The same awkward rows in SQLite and PostgreSQL give the same checksum (the point of the encoding). */
    @Test
    void sameRowsInSqliteAndPostgresqlGiveTheSameChecksum() throws Exception {
        try (Postgres pg = Postgres.schema()) {
            t.exec("CREATE TABLE awkward (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, b BLOB, ok BOOLEAN)");
            t.exec("CREATE TABLE nokey (name TEXT, n INTEGER)");
            try (Connection c = pg.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE awkward (id bigint PRIMARY KEY, i bigint, r double precision, s text, b bytea, ok boolean)");
                st.execute("CREATE TABLE nokey (name text, n integer)");
                Object[][] rows = {
                        {1L, 0L, 0.0, "", new byte[0], true},
                        {2L, null, null, null, null, null},
                        {3L, Long.MIN_VALUE, -1.5e300, "héllo ✓ 𝄞", new byte[]{0, 1, 2, (byte) 0xff}, false},
                        {4L, Long.MAX_VALUE, 1.0 / 3, "line\nbreak 'quote' \"dq\"", new byte[]{'T', 0, 0, 0, 1}, true},
                        {-5L, -1L, -0.0, "日本語", new byte[300], false}};
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO awkward VALUES (?, ?, ?, ?, ?, ?)")) {
                    for (Object[] r : rows) {
                        for (int i = 0; i < r.length; i++) {
                            ps.setObject(i + 1, r[i]);
                        }
                        ps.executeUpdate();
                        t.exec("INSERT INTO awkward VALUES (?, ?, ?, ?, ?, ?)", r[0], r[1], r[2], r[3], r[4], r[5] == null ? null : ((Boolean) r[5] ? 1 : 0));
                    }
                }
                String nokey = "INSERT INTO nokey VALUES ('b', 1), ('a', 2), (NULL, 3), ('B', 1), ('a', 1), ('é', NULL), ('a', 1)";
                st.execute(nokey);
                t.exec(nokey);
            }
            TierConfig cfg = new TierConfig("warehouse", pg.url(), Postgres.USER, null, Map.of(), false, false, false, null);
            try (Tier w = Tier.open(cfg)) {
                Checksum lite = t.checksum("awkward");
                assertEquals(5, lite.rows());
                assertEquals(lite, w.checksum("awkward"));
                assertEquals(t.checksum("nokey"), w.checksum("nokey"));
                assertEquals(t.checksum("awkward", List.of("s", "b"), "id > ?", 1), w.checksum("awkward", List.of("s", "b"), "id > ?", 1));
                assertTrue(w.connection().getAutoCommit(), "the checksum's streaming transaction is closed again");
            }
        }
    }
}
