package dev.sluice.workspace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {
    static final String PLANTED = "Pl4nted-s3cret-value";

    @TempDir
    Path dir;

    private static void assertOneLine(SluiceException e) {
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void jsonWorkspaceResolvesPathsUrlsAndVariables() throws Exception {
        Files.writeString(dir.resolve("sluice.json"), """
                {
                  "tiers": {
                    "tier1": "data/tier1.db",
                    "tier2": {"url": "jdbc:sqlite:data/tier2.db", "pragmas": {"journal_mode": "WAL"}},
                    "captures": {"path": "${CAPTURES:-captures.db}", "readOnly": true},
                    "opt": {"path": "opt.db", "optional": true},
                    "warehouse": {"url": "jdbc:postgresql://${PGHOST}:5432/test", "user": "${PGUSER:-postgres}", "password": "${PGPASSWORD}"}
                  },
                  "snapshots": "${SNAPS:-backups}",
                  "journal": "sessions"
                }""");
        Map<String, String> env = Map.of("PGHOST", "127.0.0.1", "PGPASSWORD", PLANTED);
        Workspace ws = Workspace.load(dir, env::get);
        Path abs = dir.toAbsolutePath().normalize();
        assertEquals(abs.resolve("data/tier1.db"), ws.tier("tier1").sqliteFile());
        assertEquals("jdbc:sqlite:" + abs.resolve("data/tier2.db"), ws.tier("tier2").url());
        assertEquals(Map.of("journal_mode", "WAL"), ws.tier("tier2").pragmas());
        assertEquals(abs.resolve("captures.db"), ws.tier("captures").sqliteFile());
        assertTrue(ws.tier("captures").readOnly());
        assertTrue(ws.tier("opt").optional());
        TierConfig w = ws.tier("warehouse");
        assertEquals(Engine.POSTGRESQL, w.engine());
        assertEquals("jdbc:postgresql://127.0.0.1:5432/test", w.url());
        assertEquals("postgres", w.user());
        assertEquals(PLANTED, w.password().reveal());
        assertNull(w.sqliteFile());
        assertEquals(abs.resolve("backups"), ws.snapshotsDir());
        assertEquals(abs.resolve("sessions"), ws.journalDir());
        assertEquals(java.util.List.of("tier1", "tier2", "captures", "opt", "warehouse"), java.util.List.copyOf(ws.tiers().keySet()));
    }

    @Test
    void yamlWorkspaceReadsTheSame() throws Exception {
        Files.writeString(dir.resolve("sluice.yaml"), """
                tiers:
                  tier1: data/tier1.db
                  warehouse:
                    url: jdbc:postgresql://127.0.0.1:5432/test
                    user: postgres
                    password: ${PGPASSWORD}
                snapshots: snaps
                """);
        Workspace ws = Workspace.load(dir, Map.of("PGPASSWORD", PLANTED)::get);
        assertEquals(dir.toAbsolutePath().normalize().resolve("data/tier1.db"), ws.tier("tier1").sqliteFile());
        assertEquals(PLANTED, ws.tier("warehouse").password().reveal());
        assertTrue(ws.configFile().toString().endsWith("sluice.yaml"));
        assertTrue(ws.snapshotsDir().endsWith("snaps"));
    }

    @Test
    void unsetVariableIsRefusedNamingIt() throws Exception {
        Files.writeString(dir.resolve("sluice.json"), "{\"tiers\": {\"w\": {\"url\": \"jdbc:postgresql://h/db\", \"password\": \"${NOPE_NOT_SET}\"}}}");
        SluiceException e = assertThrows(SluiceException.class, () -> Workspace.load(dir, k -> null));
        assertEquals(ErrorCode.WORKSPACE, e.code());
        assertTrue(e.getMessage().contains("${NOPE_NOT_SET}") && e.getMessage().contains(":-default"), e.getMessage());
        assertOneLine(e);
    }

    @Test
    void defaultIsUsedOnlyWhenTheVariableIsUnset() {
        assertEquals("x-d", Workspace.interpolate("x-${V:-d}", k -> null, dir, "t"));
        assertEquals("x-set", Workspace.interpolate("x-${V:-d}", Map.of("V", "set")::get, dir, "t"));
        assertEquals("x-", Workspace.interpolate("x-${V:-}", k -> null, dir, "t"));
        assertEquals("$notavar", Workspace.interpolate("$notavar", k -> null, dir, "t"));
    }

    @Test
    void secretsNeverAppearInToStringOrMessages() throws Exception {
        Files.writeString(dir.resolve("sluice.json"), """
                {"tiers": {
                  "w": {"url": "jdbc:postgresql://127.0.0.1:1/test?password=%s", "user": "u", "password": "${PGPASSWORD}"},
                  "u": "jdbc:postgresql://u:%s@127.0.0.1:1/test"
                }}""".formatted(PLANTED, PLANTED));
        Workspace ws = Workspace.load(dir, Map.of("PGPASSWORD", PLANTED)::get);
        StringBuilder shown = new StringBuilder();
        shown.append(ws).append('\n');
        for (TierConfig c : ws.tiers().values()) {
            shown.append(c).append('\n').append(c.location()).append('\n').append(c.displayUrl()).append('\n');
        }
        shown.append(ws.tier("w").password()).append('\n');
        shown.append(TierSpec.create("jdbc:postgresql://h/db", null, "u", PLANTED, null, false, false, false)).append('\n');
        for (String name : new String[]{"w", "u"}) {
            SluiceException e = assertThrows(SluiceException.class, () -> Tier.open(ws.tier(name)));
            assertEquals(ErrorCode.TIER_UNAVAILABLE, e.code());
            assertOneLine(e);
            shown.append(e.getMessage()).append('\n');
        }
        assertFalse(shown.toString().contains(PLANTED), shown.toString());
        assertTrue(shown.toString().contains("****"), shown.toString());
    }

    @Test
    void redactorRemovesUrlCredentialsKeyValuesAndKnownSecrets() {
        String text = "jdbc:postgresql://bob:" + PLANTED + "@h/db?user=bob&password=" + PLANTED + " token: abc123 and " + PLANTED;
        String out = Redactor.redact(text, java.util.List.of(new Secret(PLANTED)));
        assertFalse(out.contains(PLANTED), out);
        assertFalse(out.contains("abc123"), out);
        assertTrue(out.contains("user=bob"), out);
    }

    @Test
    void missingBadAndEmptyWorkspacesAreOneLineEach() throws Exception {
        SluiceException none = assertThrows(SluiceException.class, () -> Workspace.load(dir));
        assertTrue(none.getMessage().contains("sluice init"), none.getMessage());
        assertOneLine(none);

        Files.writeString(dir.resolve("sluice.json"), "{\"tiers\": {\"a\": \"a.db\",\n  }\n");
        SluiceException bad = assertThrows(SluiceException.class, () -> Workspace.load(dir));
        assertEquals(ErrorCode.WORKSPACE, bad.code());
        assertTrue(bad.getMessage().contains("sluice.json:2:"), bad.getMessage());
        assertOneLine(bad);

        Files.writeString(dir.resolve("sluice.json"), "{\"tiers\": {}}");
        SluiceException empty = assertThrows(SluiceException.class, () -> Workspace.load(dir));
        assertTrue(empty.getMessage().contains("no tiers"), empty.getMessage());

        Files.writeString(dir.resolve("sluice.json"), "{\"tiers\": {\"a\": \"a.db\"}, \"snapshot\": \"typo\"}");
        SluiceException unknown = assertThrows(SluiceException.class, () -> Workspace.load(dir));
        assertTrue(unknown.getMessage().contains("snapshot"), unknown.getMessage());
        assertOneLine(unknown);

        Files.writeString(dir.resolve("sluice.json"), "{\"tiers\": {\"tier-1\": \"a.db\"}}");
        SluiceException name = assertThrows(SluiceException.class, () -> Workspace.load(dir));
        assertTrue(name.getMessage().contains("not a Java identifier"), name.getMessage());
    }

    @Test
    void writeRefusesToOverwriteAndRoundTrips() {
        Workspace.write(dir, new Workspace.File(Map.of("a", TierSpec.of("data/a.db")), null, null));
        Workspace ws = Workspace.load(dir);
        assertEquals(dir.toAbsolutePath().normalize().resolve("data/a.db"), ws.tier("a").sqliteFile());
        SluiceException again = assertThrows(SluiceException.class,
                () -> Workspace.write(dir, new Workspace.File(Map.of("b", TierSpec.of("b.db")), null, null)));
        assertEquals(ErrorCode.WORKSPACE, again.code());
        SluiceException unknownTier = assertThrows(SluiceException.class, () -> ws.tier("zzz"));
        assertTrue(unknownTier.getMessage().contains("Known tiers: a"), unknownTier.getMessage());
    }
}
