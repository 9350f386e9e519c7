package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.encoding.Json;
import dev.sluice.error.ErrorCode;
import dev.sluice.snapshot.Snapshot;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, points 3 and 5, through {@code Main.run}: exit statuses a cron job or CI can act on, and a command line that
 * helps (suggestions, whole help sentences, every tier in {@code status}, skipped tiers named, versions, local times,
 * {@code run --list} as a table and as JSON). The tiers hold data not made for this code: unicode names and text, NULLs,
 * blobs, a WAL tier beside a rollback-journal one.
 */
class CliHelpsTest {
    /** An ISO-8601 instant as Sluice stores it; never what a person is shown. */
    private static final Pattern STORED_TIME = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");

    @TempDir
    Path dir;

    /** tier1 (rollback journal) and tier2 (WAL), each with a table named in two scripts holding NULLs and blobs. */
    private Path workspace() {
        Workspace ws = TestWorkspaces.sqlite(dir, "tier1", "tier2");
        for (String t : List.of("tier1", "tier2")) {
            try (Tier tier = Tier.open(ws.tier(t), true)) {
                tier.script((t.equals("tier2") ? "PRAGMA journal_mode = WAL;\n" : "")
                        + "CREATE TABLE \"Bestellungen 注文\" (\"Nr\" INTEGER PRIMARY KEY, \"Notiz\" TEXT, \"Roh\" BLOB);\n"
                        + "INSERT INTO \"Bestellungen 注文\" VALUES (1, 'Grüße ✓', x'00ff10'), (2, NULL, NULL), (3, '注文 три', x'');");
            }
        }
        return dir;
    }

    private Path playbook(String name, String text) {
        try {
            Path p = dir.resolve("playbooks").resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String TWO_STEPS = """
            playbook 'Zwei Schritte', {
                tiers 'tier1', 'tier2'
                step 'Notizen füllen', {
                    tier1.exec("UPDATE \\"Bestellungen 注文\\" SET \\"Notiz\\" = 'leer' WHERE \\"Notiz\\" IS NULL")
                    expect('keine NULL mehr') { tier1.count('Bestellungen 注文', '"Notiz" IS NULL') == 0 }
                }
                step 'tier2 bekommt eine Zeile', {
                    tier2.exec("INSERT INTO \\"Bestellungen 注文\\" VALUES (4, '四', x'0a')")
                    expect('vier Zeilen') { tier2.count('Bestellungen 注文') == 4 }
                }
            }
            """;

    /** Every file under the workspace (tiers, -wal/-shm, journals, lock files) with the SHA-256 of its bytes. */
    private Map<String, String> files() {
        try (Stream<Path> s = Files.walk(dir)) {
            Map<String, String> out = new TreeMap<>();
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.startsWith(dir.resolve("playbooks"))).toList()) {
                out.put(dir.relativize(p).toString(), TestWorkspaces.fileHash(p));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long history(String tier) {
        try (Tier t = Tier.open(Workspace.load(dir).tier(tier))) {
            return t.hasTable("sluice_history") ? ((Number) t.query("SELECT count(*) FROM sluice_history").value()).longValue() : 0;
        }
    }

    /** The workspace's tiers with data, then its sluice.json replaced by {@code tiers}. */
    private void rewrite(Map<String, TierSpec> tiers) {
        workspace();
        try {
            Files.delete(dir.resolve(Workspace.JSON_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Workspace.write(dir, new Workspace.File(tiers, "snapshots", "sessions"));
    }

    private static String oneLine(CliRunner r) {
        assertEquals(1, r.err().strip().lines().count(), r.err());
        return r.err().strip();
    }

    // ---------------------------------------------------------------- point 3: exit statuses for cron and CI

    @Test
    void stepModeWithNoAnswersOnStdinIsRefusedWithUsageBeforeAnythingIsWrittenIssue16() {
        Path pb = playbook("zwei.groovy", TWO_STEPS);
        workspace();
        Map<String, String> before = files();
        // What cron gives: stdin at its end (as < /dev/null). It used to print "Stopped by the operator" and exit 0.
        CliRunner r = CliRunner.runWithInput("", "run", pb.toString(), "-w", dir.toString());
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        String line = oneLine(r);
        assertTrue(line.startsWith("error: Step mode asks a question after each step, but stdin is not a terminal"), line);
        assertTrue(line.contains("add --yes") && line.contains("--dry-run"), "says which flag to add: " + line);
        assertFalse(r.out().contains("Running step"), r.out());
        assertEquals(before, files(), "no journal, lock, history or -wal was written");
        // --list, --yes and --dry-run need no answers.
        assertEquals(0, CliRunner.runWithInput("", "run", pb.toString(), "-w", dir.toString(), "--dry-run").status());
        assertEquals(0, CliRunner.runWithInput("", "run", pb.toString(), "-w", dir.toString(), "--list").status());
    }

    @Test
    void pipedAnswersStillDriveStepModeAndAnswersThatRunOutMidRunExitTwoWithTheOpenStepRolledBack() {
        Path pb = playbook("zwei.groovy", TWO_STEPS);
        workspace();
        // One answer for two questions: step 1 is committed, the question after step 2 finds the end of input.
        CliRunner r = CliRunner.runWithInput("c\n", "run", pb.toString(), "-w", dir.toString());
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        String line = oneLine(r);
        assertTrue(line.contains("ran out at the question after step 2/2 'tier2 bekommt eine Zeile'"), line);
        assertTrue(line.contains("add --yes"), line);
        assertFalse(r.out().contains("Stopped by the operator"), r.out());
        assertEquals(1, history("tier1"), "step 1 was answered c and stays committed");
        assertEquals(0, history("tier2"), "step 2 was rolled back");
        try (Tier t = Tier.open(Workspace.load(dir).tier("tier2"))) {
            assertEquals(3L, t.count("Bestellungen 注文"));
        }
        // The rest of the answers: the run picks up at step 2 and ends well.
        CliRunner rest = CliRunner.runWithInput("c\n", "run", pb.toString(), "-w", dir.toString());
        assertEquals(0, rest.status(), rest.out() + rest.err());
        assertEquals(1, history("tier2"));
    }

    @Test
    void answersThatRunOutWhenAStepAsksToGoAheadExitTwoAndTheStepIsRolledBack() {
        Path pb = playbook("schnapp.groovy", """
                playbook 'Schnappschuss', {
                    tiers 'tier1', 'tier2'
                    step 'erst schreiben', {
                        tier2.exec("DELETE FROM \\"Bestellungen 注文\\" WHERE \\"Roh\\" IS NULL")
                    }
                    step 'dann sichern', {
                        snapshot 'mitten'
                        tier1.exec("DELETE FROM \\"Bestellungen 注文\\"")
                    }
                }
                """);
        workspace();
        String tier1 = TestWorkspaces.fileHash(dir.resolve("data/tier1.db"));
        CliRunner r = CliRunner.runWithInput("c\n", "run", pb.toString(), "-w", dir.toString());
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.out().contains("The answers on stdin ran out when step 'dann sichern' asked to snapshot 'mitten'"), r.out());
        assertTrue(r.out().contains("add --yes"), r.out());
        assertFalse(Files.exists(dir.resolve("snapshots/mitten")), "no answer is no");
        assertEquals(tier1, TestWorkspaces.fileHash(dir.resolve("data/tier1.db")));
        assertEquals(1, history("tier2"));
    }

    @Test
    void anAnswerThatIsNoAnswerIsRefusedInsteadOfAskedForever() {
        Path pb = playbook("zwei.groovy", TWO_STEPS);
        workspace();
        Map<String, String> tiers = Map.of("tier1", TestWorkspaces.fileHash(dir.resolve("data/tier1.db")));
        // What a closed stdin can read (the JVM reuses fd 0 for a file it opens): bytes that are no answer at all.
        CliRunner r = CliRunner.runWithInput("PK\u0003\u0004garbage\nc\n", "run", pb.toString(), "-w", dir.toString());
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(oneLine(r).contains("is not an answer (c, r, i, s or q) to the question after step 1/2"), r.err());
        assertEquals(tiers, Map.of("tier1", TestWorkspaces.fileHash(dir.resolve("data/tier1.db"))));
        assertEquals(0, history("tier1"));
    }

    @Test
    void aFailedExpectationExitsElevenUnderYesAndDryRunShowingTheValuesCompared() {
        Path pb = playbook("falsch.groovy", """
                playbook 'Falsch', {
                    tiers 'tier1'
                    step 'zählen', {
                        def notes = tier1.query('SELECT "Notiz" FROM "Bestellungen 注文" ORDER BY "Nr"').collect { it.get(0) }
                        expect('zwei Notizen') { notes.findAll { it != null }.size() == 3 }
                    }
                }
                """);
        workspace();
        String before = TestWorkspaces.fileHash(dir.resolve("data/tier1.db"));
        for (String mode : List.of("--yes", "--dry-run")) {
            CliRunner r = CliRunner.run("run", pb.toString(), "-w", dir.toString(), mode, "--no-journal");
            assertEquals(ErrorCode.EXPECTATION.exitStatus(), r.status(), mode + ": " + r.out() + r.err());
            assertTrue(r.out().contains("✗ expect 'zwei Notizen':\n    notes.findAll { it != null }.size() == 3\n"), mode + ": " + r.out());
            assertTrue(r.out().contains("\n    ['Grüße ✓', null, '注文 три']\n"), "the values compared, NULL included: " + r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+\\|\\s+\\['Grüße ✓', '注文 три'\\]\\s+2\\s+false")), r.out());
            assertEquals(before, TestWorkspaces.fileHash(dir.resolve("data/tier1.db")));
        }
    }

    @Test
    void helpListsEveryExitStatusFromErrorCodeAndTheManualDoesToo() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (String[] args : List.of(new String[]{"--help"}, new String[]{"run", "--help"}, new String[]{"status", "--help"})) {
            CliRunner r = CliRunner.run(args);
            assertEquals(0, r.status(), r.err());
            assertTrue(r.out().contains("Exit status:\n"), String.join(" ", args) + ": " + r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+0\\s+ok")), r.out());
            for (ErrorCode c : ErrorCode.values()) {
                String firstWords = c.meaning().split(" ")[0];
                assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s+" + c.exitStatus() + "\\s+" + Pattern.quote(firstWords) + "( .*)?")),
                        String.join(" ", args) + " lists " + c + ": " + r.out());
                assertTrue(readme.contains("| " + c.exitStatus() + " | " + c.meaning() + " |"), "README lists " + c + " as ErrorCode says");
            }
        }
    }

    // ---------------------------------------------------------------- point 5: a CLI that helps

    @Test
    void aMistypedCommandGetsASuggestionInOneLine() {
        CliRunner r = CliRunner.run("statuz");
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status());
        assertTrue(oneLine(r).contains("did you mean 'sluice status'"), r.err());
        CliRunner option = CliRunner.run("snapshot", "--tire", "tier1", "x");
        assertEquals(ErrorCode.USAGE.exitStatus(), option.status());
        assertTrue(oneLine(option).contains("did you mean '--tier'?"), option.err());
    }

    @Test
    void topLevelHelpGivesEachCommandAWholeSentence() {
        CliRunner r = CliRunner.run("--help");
        String commands = r.out().substring(r.out().indexOf("Commands:\n") + "Commands:\n".length(), r.out().indexOf("\nExit status:"));
        Map<String, String> listed = new LinkedHashMap<>();
        String current = null;
        for (String l : commands.lines().toList()) {
            if (l.matches("  \\S.*")) {
                current = l.strip().split("\\s+", 2)[0];
                listed.put(current, l.strip().substring(current.length()).strip());
            } else if (current != null && !l.isBlank()) {
                listed.put(current, listed.get(current) + " " + l.strip());
            }
        }
        var cl = Main.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()));
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommandSpec().usageMessage().hidden()) {
                continue;
            }
            String text = listed.get(e.getKey());
            assertNotNull(text, e.getKey() + " is listed: " + r.out());
            assertTrue(text.endsWith("."), e.getKey() + " ends its sentence: " + text);
            assertEquals(HelpSections.summary(e.getValue().getCommandSpec()), text);
        }
    }

    @Test
    void statusShowsEveryTierAndMarksTheUnreachableOnes() {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("tier1", TierSpec.of("data/tier1.db"));
        tiers.put("gone", TierSpec.of("data/gone.db"));
        tiers.put("warehouse", new TierSpec("jdbc:postgresql://127.0.0.1:1/none", "nobody", null, null, false, false, false));
        tiers.put("tier2", TierSpec.of("data/tier2.db"));
        rewrite(tiers);
        CliRunner r = CliRunner.run("status", "-w", dir.toString());
        assertEquals(ErrorCode.TIER_UNAVAILABLE.exitStatus(), r.status(), r.out() + r.err());
        assertTrue(r.out().contains("\ngone  SQLite  " + dir.resolve("data/gone.db") + "  UNREACHABLE\n  Tier 'gone': file "), r.out());
        assertTrue(r.out().contains("\nwarehouse  PostgreSQL  jdbc:postgresql://127.0.0.1:1/none  UNREACHABLE\n  Cannot open tier 'warehouse'"), r.out());
        // The tiers after an unreachable one are shown too, with their rows.
        assertTrue(r.out().matches("(?s).*\ntier2  SQLite \\S+  .*\n  Bestellungen 注文\\s+3\n.*"), r.out());
        assertTrue(r.out().indexOf("\ntier1  SQLite") < r.out().indexOf("\ngone  ") && r.out().indexOf("\nwarehouse") < r.out().indexOf("\ntier2"));
        assertTrue(oneLine(r).startsWith("error: 2 of 4 tiers cannot be opened (the others are shown above): gone: Tier 'gone': file "), r.err());
        assertFalse(Files.exists(dir.resolve("data/gone.db")), "status creates no file");
    }

    @Test
    void snapshotNamesTheTiersItSkipsAndWhy() {
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("tier1", TierSpec.of("data/tier1.db"));
        tiers.put("later", new TierSpec("jdbc:sqlite:data/later.db", null, null, null, false, true, false));
        rewrite(tiers);
        CliRunner r = CliRunner.run("snapshot", "-w", dir.toString(), "vorher");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("\n  skipped later (optional, and its file " + dir.resolve("data/later.db") + " does not exist)\n"), r.out());
        CliRunner named = CliRunner.run("snapshot", "-w", dir.toString(), "nur-tier1", "--tier", "tier1");
        assertEquals(0, named.status(), named.out() + named.err());
        assertFalse(named.out().contains("skipped"), "tiers not asked for are not 'skipped': " + named.out());
    }

    @Test
    void timesReadLocalToTheSecondAndDurationsHumanised() throws Exception {
        Path pb = playbook("zwei.groovy", TWO_STEPS);
        workspace();
        assertEquals(0, CliRunner.run("snapshot", "-w", dir.toString(), "vorher").status());
        Snapshot s = Json.mapper().readValue(dir.resolve("snapshots/vorher/manifest.json").toFile(), Snapshot.class);
        assertTrue(STORED_TIME.matcher(s.createdAt()).matches(), "the manifest keeps the exact instant: " + s.createdAt());
        CliRunner list = CliRunner.run("snapshots", "-w", dir.toString());
        assertTrue(list.out().contains("vorher  " + Format.time(s.createdAt()) + "  tier1, tier2"), list.out());
        assertFalse(STORED_TIME.matcher(list.out()).find(), list.out());

        assertEquals(0, CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--yes").status());
        CliRunner steps = CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--list");
        assertTrue(steps.listed(1).matches(".*  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+  .*"), steps.out());
        assertFalse(STORED_TIME.matcher(steps.out()).find(), steps.out());

        CliRunner journal = CliRunner.run("console", "-w", dir.toString(), "-e", "tier1.count(\"Bestellungen 注文\")", "-e", "/journal 2");
        assertEquals(0, journal.status(), journal.err());
        assertTrue(journal.out().lines().anyMatch(l -> l.matches("  #\\d+  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\S+  \\w+  \\{.*")), journal.out());

        Instant t = Instant.parse("2026-03-01T08:09:10.123456789Z");
        assertEquals(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z", java.util.Locale.ROOT)
                .format(t.atZone(java.time.ZoneId.systemDefault())), Format.time(t.toString()));
        assertEquals("not a time", Format.time("not a time"));
        assertEquals("850 ms", Format.duration(Duration.ofMillis(850)));
        assertEquals("1.2 s", Format.duration(Duration.ofMillis(1_234)));
        assertEquals("59.9 s", Format.duration(Duration.ofMillis(59_900)));
        assertEquals("1 min", Format.duration(Duration.ofMillis(59_990)));
        assertEquals("3 min 4 s", Format.duration(Duration.ofSeconds(184)));
        assertEquals("2 h 5 min", Format.duration(Duration.ofMinutes(125)));
    }

    @Test
    void runListIsATableAndJsonAsFlywaysInfo() throws Exception {
        Path pb = playbook("zwei.groovy", TWO_STEPS);
        workspace();
        assertEquals(0, CliRunner.runWithInput("c\ns\n", "run", pb.toString(), "-w", dir.toString()).status());
        CliRunner table = CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--list");
        assertEquals(0, table.status(), table.err());
        assertTrue(table.out().lines().anyMatch(l -> l.matches("\\s+#\\s+Status\\s+Step\\s+Applied at\\s+By\\s+Tiers\\s+Run id\\s+Checksum")), table.out());
        assertTrue(table.lists(1, "applied", "Notizen füllen"), table.out());
        assertTrue(table.lists(2, "pending", "tier2 bekommt eine Zeile"), table.out());
        // Columns line up by terminal width, so the wide CJK-free umlauts and the plain names share one column start.
        int at1 = table.listed(1).indexOf("Notizen füllen");
        assertEquals(at1, table.listed(2).indexOf("tier2 bekommt eine Zeile"));

        CliRunner json = CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--list", "--json");
        assertEquals(0, json.status(), json.err());
        JsonNode doc = Json.mapper().readTree(json.out());
        assertEquals("Zwei Schritte", doc.path("playbook").path("title").asText());
        JsonNode first = doc.path("steps").get(0);
        assertEquals("applied", first.path("status").asText());
        assertEquals(List.of("tier1"), List.of(first.path("appliedOn").get(0).asText()));
        assertTrue(first.path("runId").asText().matches("\\d{14}-[0-9a-f]{8}"), first.toString());
        assertTrue(first.path("checksum").asText().matches("[0-9a-f]{64}"), first.toString());
        Instant.parse(first.path("appliedAt").asText()); // as stored: machine-readable
        assertTrue(table.listed(1).contains(first.path("runId").asText()) && table.listed(1).contains(first.path("checksum").asText().substring(0, 12)));
        assertEquals("pending", doc.path("steps").get(1).path("status").asText());
        assertTrue(doc.path("steps").get(1).path("appliedAt").isNull());

        CliRunner alone = CliRunner.run("run", pb.toString(), "-w", dir.toString(), "--json");
        assertEquals(ErrorCode.USAGE.exitStatus(), alone.status());
        assertTrue(oneLine(alone).contains("--json goes with --list"), alone.err());
    }
}
