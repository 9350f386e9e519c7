package dev.sluice.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.demo.DemoWorkspace;
import dev.sluice.dsl.Session;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Fingerprint;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTest {
    @TempDir
    Path dir;

    private Path record(Session s, List<Secret> secrets) {
        List<Fingerprint> fp = new ArrayList<>();
        s.tiers().forEach(t -> fp.add(t.fingerprint()));
        Journal j = Journal.start(s.workspace().journalDir(), "console", "test", s.workspace().dir(), fp, secrets);
        Tier t1 = s.tier("tier1");
        TierInternals.addListener(t1, j);
        j.input("java", "tier1.count(\"conversations\")");
        t1.count("conversations");
        j.input("java", "tier1.checksum(\"messages\")");
        t1.checksum("messages");
        j.decision("commit", null, null);
        TierInternals.removeListener(t1, j);
        j.end(0);
        return j.file();
    }

    @Test
    void recordedSessionReadsBackWithObservationsAndAnIntactChain() {
        DemoWorkspace.create(dir.resolve("demo"));
        try (Session s = Session.open(dir.resolve("demo"))) {
            JournalFile jf = JournalFile.read(record(s, List.of()), false);
            assertNull(jf.problem());
            assertEquals("console", jf.header().path("kind").asText());
            assertEquals(3, jf.header().path("fingerprint").size());
            List<ObjectNode> obs = jf.events().stream().filter(e -> e.path("type").asText().equals("observation")).toList();
            assertEquals(2, obs.size());
            assertEquals(2000, obs.get(0).path("result").asLong());
            assertEquals(24000, obs.get(1).path("result").path("rows").asLong());
            assertEquals(64, obs.get(1).path("result").path("sha256").asText().length());
        }
    }

    /** A journal of a short session on a fresh demo workspace. */
    private Path demoJournal() {
        DemoWorkspace.create(dir.resolve("demo"));
        try (Session s = Session.open(dir.resolve("demo"))) {
            return record(s, List.of());
        }
    }

    @Test
    void editedJournalIsRefusedNamingTheLine() throws Exception {
        Path file = demoJournal();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        lines.set(2, lines.get(2).replace("2000", "2001"));
        Files.write(file, lines);
        SluiceException e = assertThrows(SluiceException.class, () -> JournalFile.read(file, false));
        assertEquals(ErrorCode.JOURNAL, e.code());
        assertTrue(e.getMessage().contains("line 4 does not chain"), e.getMessage());
    }

    @Test
    void editedEndEventIsRefusedThoughNothingChainsToIt() throws Exception {
        Path file = demoJournal();
        assertNull(JournalFile.read(file, false).problem(), "a sealed end event reads back");
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        int last = lines.size() - 1;
        assertTrue(lines.get(last).contains("\"status\":0"), lines.get(last));
        lines.set(last, lines.get(last).replace("\"status\":0", "\"status\":1"));
        Files.write(file, lines);
        SluiceException e = assertThrows(SluiceException.class, () -> JournalFile.read(file, false));
        assertTrue(e.getMessage().contains("(the end event) was edited"), e.getMessage());

        String unsealed = lines.get(last).replaceFirst(",\"seal\":\"[0-9a-f]{64}\"}$", "}");
        assertTrue(!unsealed.equals(lines.get(last)), "the seal was there to remove");
        lines.set(last, unsealed);
        Files.write(file, lines);
        SluiceException removed = assertThrows(SluiceException.class, () -> JournalFile.read(file, false));
        assertTrue(removed.getMessage().contains("seal is missing"), removed.getMessage());
    }

    @Test
    void truncatedJournalIsRefusedUnlessForced() throws Exception {
        Path file = demoJournal();
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() - 2));
        SluiceException e = assertThrows(SluiceException.class, () -> JournalFile.read(file, false));
        assertTrue(e.getMessage().contains("without an end event"), e.getMessage());
        JournalFile forced = JournalFile.read(file, true);
        assertTrue(forced.problem().contains("without an end event"));

        byte[] cut = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(cut, cut.length - 10));
        SluiceException e2 = assertThrows(SluiceException.class, () -> JournalFile.read(file, false));
        assertTrue(e2.getMessage().contains("cut short"), e2.getMessage());
    }

    @Test
    void plantedPasswordNeverAppearsInTheJournal() throws Exception {
        DemoWorkspace.create(dir.resolve("demo"));
        String planted = "hunter2-PLANTED-secret";
        try (Session s = Session.open(dir.resolve("demo"))) {
            List<Fingerprint> fp = List.of(s.tier("tier1").fingerprint());
            Journal j = Journal.start(s.workspace().journalDir(), "console", "test", s.workspace().dir(), fp, List.of(new Secret(planted)));
            j.input("java", "var c = java.sql.DriverManager.getConnection(\"jdbc:postgresql://u:" + planted + "@127.0.0.1/test\")");
            j.input("java", "connect(\"password=" + planted + "\")");
            j.input("groovy", "def p = '" + planted + "'");
            j.error("SQL", "login failed for password " + planted);
            j.end(0);
            String text = Files.readString(j.file(), StandardCharsets.UTF_8);
            assertFalse(text.contains(planted), text);
            assertFalse(text.contains("hunter2"), text);
            assertTrue(text.contains("****"));
        }
    }

    @Test
    void markdownExportHoldsEveryInputObservationAndDecision() {
        DemoWorkspace.create(dir.resolve("demo"));
        try (Session s = Session.open(dir.resolve("demo"))) {
            String md = MarkdownExport.render(JournalFile.read(record(s, List.of()), false));
            assertTrue(md.contains("tier1.count(\"conversations\")"), md);
            assertTrue(md.contains("**2,000**"), md);
            assertTrue(md.contains("24,000 rows sha256:"), md);
            assertTrue(md.contains("**Decision: commit**"), md);
            assertTrue(md.contains("| tier1 | messages | 24,000 |"), md);
        }
    }
}
