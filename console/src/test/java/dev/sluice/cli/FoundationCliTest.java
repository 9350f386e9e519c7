package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.error.ErrorCode;
import dev.sluice.testing.TestWorkspaces;
import dev.sluice.workspace.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The foundation's commands through {@code Main.run}: exit status, the one-line message, and the files afterwards. */
class FoundationCliTest {
    @TempDir
    Path dir;

    @Test
    void everyCommandHasHelp() {
        CommandLine cl = Main.commandLine(new java.io.PrintWriter(java.io.Writer.nullWriter()), new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertFalse(cl.getSubcommands().isEmpty());
        for (String name : cl.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            CliRunner r = CliRunner.run(name, "--help");
            assertEquals(0, r.status(), name + ": " + r.err());
            assertTrue(r.out().contains("Usage: sluice " + name), name + ": " + r.out());
            assertTrue(r.out().contains("Example"), name + " --help gives an example: " + r.out());
            if (!cl.getSubcommands().get(name).getCommandSpec().usageMessage().hidden()) {
                assertTrue(readme().contains("| `" + name), name + " has a row in README.md's command table");
            }
        }
        CliRunner top = CliRunner.run("--help");
        assertEquals(0, top.status());
        assertTrue(top.out().contains("snapshot"), top.out());
    }

    @Test
    void onlyTheInvokedSubcommandIsBuiltAndEverythingElseGetsTheWholeTree() {
        java.io.PrintWriter none = new java.io.PrintWriter(java.io.Writer.nullWriter());
        assertEquals(java.util.Set.of("status"),
                Main.commandLine(none, none, new String[]{"--verbose", "status", "-w", "x"}).getSubcommands().keySet());
        int all = Main.SUBCOMMANDS.size();
        assertEquals(all, Main.commandLine(none, none, new String[]{"help", "status"}).getSubcommands().size());
        assertEquals(all, Main.commandLine(none, none, new String[]{"stauts"}).getSubcommands().size());
        assertEquals(all, Main.commandLine(none, none, new String[]{"--help"}).getSubcommands().size());
        CliRunner typo = CliRunner.run("stauts");
        assertEquals(ErrorCode.USAGE.exitStatus(), typo.status());
        CliRunner help = CliRunner.run("help", "status");
        assertEquals(0, help.status(), help.err());
        assertTrue(help.out().contains("Usage: sluice status"), help.out());
        CliRunner inherited = CliRunner.run("status", "-w", dir.resolve("none").toString(), "--verbose");
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), inherited.status());
        assertTrue(inherited.err().contains("at dev.sluice"), "--verbose still reaches a lone subcommand: " + inherited.err());
    }

    private static String readme() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void versionNamesSluiceJavaAndTheDriver() throws java.sql.SQLException {
        CliRunner r = CliRunner.run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("sluice "), r.out());
        // Issue 16: it printed "SQLite JDBC ?". Each library's version comes from its jar, so it matches what runs.
        assertTrue(r.out().contains("\n  Java             " + Runtime.version() + " ("), r.out());
        for (String lib : new String[]{"SQLite JDBC", "PostgreSQL JDBC", "Groovy", "JLine", "picocli"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("  " + lib + "\\s+\\d+\\.\\d+(\\.\\d+)*")), lib + ": " + r.out());
        }
        java.sql.Driver sqlite = java.sql.DriverManager.getDriver("jdbc:sqlite:");
        assertTrue(r.out().contains("SQLite JDBC      " + sqlite.getMajorVersion() + "." + sqlite.getMinorVersion() + "."), r.out());
    }

    @Test
    void unknownOptionIsUsageWithOneLine() {
        CliRunner r = CliRunner.run("status", "--nope");
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("--help"), r.err());
    }

    @Test
    void initWritesAWorkspaceThatStatusOpens() throws Exception {
        Path ws = dir.resolve("prod");
        CliRunner init = CliRunner.run("init", "-w", ws.toString(), "--tier", "tier1=data/tier1.db", "--tier", "tier2=data/tier2.db",
                "--snapshots", "backups");
        assertEquals(0, init.status(), init.err());
        assertTrue(init.out().contains("tier1, tier2"), init.out());
        Workspace loaded = Workspace.load(ws);
        assertEquals(ws.toAbsolutePath().normalize().resolve("data/tier2.db"), loaded.tier("tier2").sqliteFile());
        assertTrue(loaded.snapshotsDir().endsWith("backups"));

        CliRunner again = CliRunner.run("init", "-w", ws.toString(), "--tier", "x=x.db");
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), again.status());
        assertEquals(1, again.err().strip().lines().count(), again.err());

        CliRunner status = CliRunner.run("status", "-w", ws.toString());
        assertEquals(ErrorCode.TIER_UNAVAILABLE.exitStatus(), status.status(), "the files do not exist yet: " + status.out());
        assertTrue(status.err().contains("does not exist"), status.err());
        assertEquals(1, status.err().strip().lines().count(), status.err());
    }

    @Test
    void initRefusesABadTierArgumentAndWritesNothing() {
        Path ws = dir.resolve("bad");
        CliRunner r = CliRunner.run("init", "-w", ws.toString(), "--tier", "no-equals-sign");
        assertEquals(ErrorCode.USAGE.exitStatus(), r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(ws.resolve("sluice.json")));
        CliRunner badName = CliRunner.run("init", "-w", ws.toString(), "--tier", "tier-1=a.db");
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), badName.status());
        assertFalse(Files.exists(ws.resolve("sluice.json")), "a workspace that does not load is not left behind");
    }

    @Test
    void corruptTierFileIsOneLineAndUnchanged() throws Exception {
        Path ws = dir.resolve("w");
        TestWorkspaces.sqlite(ws, "t1");
        Path f = ws.resolve("data/t1.db");
        Files.createDirectories(f.getParent());
        Files.writeString(f, "this is not a database, just some text that is long enough ".repeat(100));
        String before = TestWorkspaces.fileHash(f);
        CliRunner r = CliRunner.run("status", "-w", ws.toString());
        assertEquals(ErrorCode.TIER_UNAVAILABLE.exitStatus(), r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("not a usable SQLite database"), r.err());
        assertEquals(before, TestWorkspaces.fileHash(f));
        CliRunner snap = CliRunner.run("snapshot", "-w", ws.toString(), "pre");
        assertEquals(ErrorCode.TIER_UNAVAILABLE.exitStatus(), snap.status());
        assertFalse(Files.exists(ws.resolve("snapshots/pre")));
    }

    @Test
    void snapshotListAndPruneThroughTheCli() throws Exception {
        Path ws = dir.resolve("w");
        TestWorkspaces.tier(ws, "t1").close();
        assertEquals(0, CliRunner.run("snapshot", "-w", ws.toString(), "one").status());
        Thread.sleep(5);
        CliRunner two = CliRunner.run("snapshot", "-w", ws.toString(), "two", "--tier", "t1");
        assertEquals(0, two.status(), two.err());
        assertTrue(two.out().contains("integrity ok"), two.out());
        CliRunner list = CliRunner.run("snapshots", "-w", ws.toString());
        assertTrue(list.out().indexOf("one") < list.out().indexOf("two"), list.out());
        CliRunner prune = CliRunner.run("snapshots", "-w", ws.toString(), "--prune", "1");
        assertEquals(0, prune.status(), prune.err());
        assertTrue(prune.out().contains("Pruned 1: one"), prune.out());
        assertFalse(Files.exists(ws.resolve("snapshots/one")));
        CliRunner unknown = CliRunner.run("restore", "-w", ws.toString(), "one");
        assertEquals(ErrorCode.SNAPSHOT.exitStatus(), unknown.status());
        assertTrue(unknown.err().contains("Known: two"), unknown.err());
        CliRunner noTier = CliRunner.run("snapshot", "-w", ws.toString(), "x", "--tier", "zzz");
        assertEquals(ErrorCode.WORKSPACE.exitStatus(), noTier.status());
        assertEquals(1, noTier.err().strip().lines().count(), noTier.err());
    }

    @Test
    void passwordNeverReachesTheCliOutput() throws Exception {
        Path ws = dir.resolve("pw");
        Files.createDirectories(ws);
        String planted = "Pl4nted-cli-s3cret";
        Files.writeString(ws.resolve("sluice.json"), "{\"tiers\": {\"w\": {\"url\": \"jdbc:postgresql://127.0.0.1:1/test\", \"user\": \"u\", "
                + "\"password\": \"" + planted + "\"}}}");
        for (String[] args : new String[][]{{"status", "-w", ws.toString()}, {"status", "-w", ws.toString(), "--verbose"},
                {"snapshot", "-w", ws.toString(), "x"}}) {
            CliRunner r = CliRunner.run(args);
            assertEquals(ErrorCode.TIER_UNAVAILABLE.exitStatus(), r.status(), r.err());
            assertFalse((r.out() + r.err()).contains(planted), r.out() + r.err());
        }
    }
}
