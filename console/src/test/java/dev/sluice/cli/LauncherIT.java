package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/sluice itself, after the jar is packaged (failsafe): which runs train the console's AppCDS archive, that only
 * a run that ended well becomes the archive, and that the launcher hands signals to the JVM (it execs it).
 */
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "scripts", "sluice").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private record Run(int status, String output) {
    }

    private Run sluice(String... args) throws Exception {
        Process p = start(args);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher ended: " + out);
        return new Run(p.exitValue(), out);
    }

    private Run sluiceWith(String javaOpts, String... args) throws Exception {
        opts = javaOpts;
        try {
            return sluice(args);
        } finally {
            opts = null;
        }
    }

    private String opts;

    /** JAVA_HOME for the launcher; null leaves the test's own environment as it is. */
    private String javaHome;

    private Process start(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(tmp.toFile());
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        pb.environment().remove("SLUICE_JAVA_OPTS");
        if (opts != null) {
            pb.environment().put("SLUICE_JAVA_OPTS", opts);
        }
        if (javaHome != null) {
            pb.environment().put("JAVA_HOME", javaHome);
        }
        return pb.start();
    }

    private List<String> archives() throws IOException {
        Path cache = tmp.resolve("cache").resolve("sluice");
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(cache)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".jsa")).sorted().toList();
        }
    }

    /** What an operator's pace gives: the launcher only takes up a training dump that has been quiet for 2 s. */
    private void age() throws IOException {
        Path cache = tmp.resolve("cache").resolve("sluice");
        java.nio.file.attribute.FileTime past = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 120_000);
        try (Stream<Path> s = Files.list(cache)) {
            for (Path p : s.filter(p -> p.getFileName().toString().contains(".jsa")).toList()) {
                Files.setLastModifiedTime(p, past);
            }
        }
    }

    @Test
    void theLauncherRunsTheJavaInJavaHomeAndSaysSoInOneLineWhenThereIsNoneIssue16() throws Exception {
        // A JDK home whose bin/java notes each start and then runs this JVM's java: the launcher must take it, not PATH's.
        Path bin = Files.createDirectories(tmp.resolve("jdk").resolve("bin"));
        Path used = tmp.resolve("used");
        Path real = Path.of(System.getProperty("java.home"), "bin", "java");
        Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"$@\" >> '" + used + "'\nexec '" + real + "' \"$@\"\n");
        assertTrue(bin.resolve("java").toFile().setExecutable(true));
        javaHome = tmp.resolve("jdk").toString();
        try {
            Run version = sluice("--version");
            assertEquals(0, version.status, version.output);
            assertTrue(version.output.startsWith("sluice "), version.output);
            assertTrue(Files.readString(used).lines().anyMatch(l -> l.contains("-jar") && l.endsWith("--version")),
                    "the JVM that ran came from JAVA_HOME");
            javaHome = tmp.resolve("no-such-jdk").toString();
            Run missing = sluice("--version");
            assertEquals(1, missing.status, missing.output);
            assertEquals(1, missing.output.strip().lines().count(), missing.output);
            assertTrue(missing.output.startsWith("sluice: JAVA_HOME is set to " + javaHome + ", but "), missing.output);
        } finally {
            javaHome = null;
        }
    }

    @Test
    void onlyAConsoleThatEndedWellTrainsTheArchiveAndSignalsReachTheJvm() throws Exception {
        String ws = tmp.resolve("demo").toString();
        Run demo = sluice("demo", ws);
        assertEquals(0, demo.status, demo.output);
        assertTrue(demo.output.contains("tier1"), demo.output);
        assertEquals(List.of(), archives(), "demo without a terminal only prints: it trains nothing");
        assertEquals(0, sluice("--help").status);
        assertEquals(List.of(), archives(), "--help trains nothing");

        // The first console run trains; it waits for input, and SIGTERM to the launcher's PID must reach the JVM (the
        // launcher execs it): no JVM may be left running, and its dump is not marked as ended well.
        Process waiting = start("console", "-w", ws, "--no-journal");
        // One input answered first, so the signal finds a console idle at its input: Temurin 25.0.3 can crash when
        // SIGTERM's exit-time archive dump races class loading in the JVM's first second (a JVM bug, not ours).
        waiting.getOutputStream().write("6 * 7\n".getBytes(StandardCharsets.UTF_8));
        waiting.getOutputStream().flush();
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(waiting.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.contains("42")) {
            // the answer comes once JShell is up
        }
        assertTrue(line != null && waiting.isAlive(), "the console answered and is waiting for more input");
        List<ProcessHandle> below = waiting.descendants().toList();
        // ProcessHandle.destroy(), not Process.destroy(): the latter also closes the console's stdin, and an input that
        // ends is a clean end.
        assertTrue(waiting.toHandle().destroy());
        assertTrue(waiting.waitFor(30, TimeUnit.SECONDS), "SIGTERM ended the console");
        assertEquals(143, waiting.exitValue());
        for (ProcessHandle h : below) {
            assertTrue(h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).join().isAlive() == false,
                    "no process of the launcher outlives it: " + h.info());
        }
        assertFalse(archives().stream().anyMatch(n -> n.endsWith(".ok")), "a killed console is not an ended-well one: " + archives());

        age();
        Run failed = sluice("console", "-w", ws, "--no-journal", "-e", "nosuch");
        assertEquals(1, failed.status, failed.output);
        List<String> afterFailure = archives();
        assertEquals(1, afterFailure.size(), "the killed run's dump was dropped, the failed run's is there: " + afterFailure);
        assertFalse(afterFailure.get(0).endsWith(".ok"), afterFailure.toString());
        assertTrue(afterFailure.get(0).endsWith(".tmp"), "a training dump, not marked ended-well: " + afterFailure);

        age();
        Run good = sluice("console", "-w", ws, "--no-journal", "-e", "6 * 7");
        assertEquals(0, good.status, good.output);
        assertTrue(good.output.contains("42"), good.output);
        List<String> afterGood = archives();
        assertFalse(afterGood.contains(afterFailure.get(0)), "the failed run's dump was dropped: " + afterGood);
        assertEquals(2, afterGood.size(), "a new dump and its ended-well mark: " + afterGood);

        age();
        Run third = sluice("console", "-w", ws, "--no-journal", "-e", "tier1.count(\"conversations\")");
        assertEquals(0, third.status, third.output);
        List<String> last = archives();
        assertEquals(1, last.size(), last.toString());
        assertTrue(last.get(0).endsWith(".jsa"), "the dump became the archive: " + last);
        Run fourth = sluice("console", "-w", ws, "--no-journal", "-e", "1 + 1");
        assertEquals(0, fourth.status, fourth.output);
        assertEquals(last, archives(), "later runs use it, train nothing");
        Run status = sluiceWith("-Xlog:class+load=info", "status", "-w", ws);
        assertEquals(0, status.status, status.output);
        assertTrue(status.output.contains("dev.sluice.workspace.Workspace source: shared objects file (top)"),
                "data commands start from the console's archive too");

    }

    /**
     * A checkout of its own for the launcher's build: scripts/sluice copied beside a stand-in for the Maven wrapper that
     * prints Maven's phase lines, takes a while, then puts the real packaged jar in place (or fails when {@code fail} exists).
     */
    private Path checkoutWithStandInMaven() throws IOException {
        Path tree = tmp.resolve("checkout");
        Files.createDirectories(tree.resolve("scripts"));
        Files.createDirectories(tree.resolve("console/src/main"));
        Files.copy(LAUNCHER, tree.resolve("scripts/sluice"));
        Files.writeString(tree.resolve("pom.xml"), "");
        Files.writeString(tree.resolve("console/pom.xml"), "");
        Files.writeString(tree.resolve("console/src/main/A.java"), "");
        Path built = Path.of("target").toAbsolutePath();
        Files.writeString(tree.resolve("mvnw"), String.join("\n", "#!/bin/sh",
                "echo '[INFO] Scanning for projects...'",
                "echo '[INFO] --- compiler:3.14.1:compile (default-compile) @ sluice-console ---'",
                "sleep 2",
                "if [ -f fail ]; then echo '[ERROR] /x/Broken.java:[3,1] class, interface, enum, or record expected'; echo '[ERROR] Failed to execute goal'; exit 1; fi",
                "echo '[INFO] --- jar:3.4.2:jar (default-jar) @ sluice-console ---'",
                "mkdir -p console/target && cp '" + built.resolve("sluice.jar") + "' console/target/ && ln -sfn '" + built.resolve("lib") + "' console/target/lib",
                ""));
        assertTrue(tree.resolve("mvnw").toFile().setExecutable(true));
        assertTrue(tree.resolve("scripts/sluice").toFile().setExecutable(true));
        return tree;
    }

    private Run launch(Path tree, List<String> cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(tree.toFile());
        pb.environment().put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        pb.environment().put("TMPDIR", tmp.toString()); // a failed build's kept log goes with the test's folder
        pb.environment().remove("SLUICE_JAVA_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the launcher ended: " + out);
        return new Run(p.exitValue(), out);
    }

    @Test
    void theFirstBuildIsQuietInAPipeAndAFailedOneSaysWhyIssue16() throws Exception {
        Path tree = checkoutWithStandInMaven();
        String launcher = tree.resolve("scripts/sluice").toString();
        Run version = sluice("--version");
        Run first = launch(tree, List.of(launcher, "--version"));
        assertEquals(0, first.status, first.output);
        assertEquals(version.output, first.output, "in a pipe the build adds nothing to what the command prints");
        assertTrue(Files.isRegularFile(tree.resolve("console/target/sluice.jar")));

        Files.writeString(tree.resolve("fail"), "");
        Thread.sleep(1100); // a source newer than the jar, whatever the file system's time resolution
        Files.writeString(tree.resolve("console/src/main/A.java"), "changed");
        Run failed = launch(tree, List.of(launcher, "--version"));
        assertEquals(1, failed.status, failed.output);
        List<String> lines = failed.output.strip().lines().toList();
        assertEquals("[ERROR] /x/Broken.java:[3,1] class, interface, enum, or record expected", lines.get(0), failed.output);
        assertTrue(lines.get(lines.size() - 1).startsWith("sluice: the build failed (./mvnw -B -DskipTests package in " + tree
                + ", exit status 1); Maven's whole output is in "), failed.output);
        assertFalse(failed.output.contains("\r"), failed.output);
    }

    @Test
    void onATerminalTheFirstBuildShowsOneLineWithItsPhaseAndTimeIssue16() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script gives a terminal");
        Path tree = checkoutWithStandInMaven();
        String launcher = tree.resolve("scripts/sluice").toString();
        Run first = launch(tree, List.of("/usr/bin/script", "-qec", launcher + " --version", "/dev/null"));
        assertEquals(0, first.status, first.output);
        assertTrue(first.output.contains("\rbuilding Sluice (first run): compiling… 1 s"), first.output);
        assertTrue(first.output.contains("sluice " ), first.output);
        assertFalse(first.output.contains("\u001b"), "redrawn with a carriage return, no escape sequences: " + first.output);

        Thread.sleep(1100);
        Files.writeString(tree.resolve("console/src/main/A.java"), "changed");
        Run again = launch(tree, List.of("/usr/bin/script", "-qec", launcher + " --version", "/dev/null"));
        assertEquals(0, again.status, again.output);
        assertTrue(again.output.matches("(?s).*\rbuilding Sluice \\(sources changed\\): compiling… [0-9]+ s, about [0-9]+ s in all.*"),
                "the last build's time is the estimate: " + again.output);
    }
}
