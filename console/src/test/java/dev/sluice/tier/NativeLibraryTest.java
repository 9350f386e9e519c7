package dev.sluice.tier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.testing.TestWorkspaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The native library cache, in child JVMs (this JVM has loaded its library already): the first start extracts it once,
 * later starts load it from the cache, and a damaged cache is extracted again, with nothing printed but the status.
 */
class NativeLibraryTest {
    @TempDir
    Path tmp;

    @Test
    void extractedOnceThenLoadedFromTheCacheAndRepairedWhenDamaged() throws Exception {
        try (Tier t = TestWorkspaces.tier(tmp.resolve("ws"), "tier1")) {
            t.exec("CREATE TABLE items(id INTEGER PRIMARY KEY)");
        }
        Path cache = tmp.resolve("cache");

        Run first = status(cache);
        assertClean(first);
        Path lib = library(cache);
        assertTrue(Files.size(lib) > 100_000, "the whole library is there: " + Files.size(lib));
        assertTrue(Files.readString(lib.resolveSibling(lib.getFileName() + ".crc32c")).strip().endsWith(" " + Files.size(lib)));
        byte[] good = Files.readAllBytes(lib);
        long extracted = Files.getLastModifiedTime(lib).toMillis();

        Thread.sleep(20);
        assertClean(status(cache));
        assertEquals(extracted, Files.getLastModifiedTime(lib).toMillis(), "the second start loaded the cached file as it was");

        Files.write(lib, new byte[4096]); // damaged: truncated to garbage
        assertClean(status(cache));
        assertArrayEquals(good, Files.readAllBytes(library(cache)), "the truncated file was extracted again");

        byte[] same = good.clone();
        java.util.Arrays.fill(same, 0, 4096, (byte) 0); // damaged, same size
        Files.write(lib, same);
        assertClean(status(cache));
        assertArrayEquals(good, Files.readAllBytes(library(cache)), "the same-size damage was found and extracted again");

        if (Files.getFileAttributeView(lib.getParent(), java.nio.file.attribute.PosixFileAttributeView.class) != null) {
            // A folder others could write to (a umask of 002, or changed since): closed again, its library replaced.
            Files.setPosixFilePermissions(lib.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.write(lib, same);
            Files.writeString(lib.resolveSibling(lib.getFileName() + ".crc32c"), "0 " + same.length + "\n");
            assertClean(status(cache));
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(lib.getParent())));
            assertArrayEquals(good, Files.readAllBytes(library(cache)), "what an open folder held is not trusted");
        }
    }

    @Test
    void aConnectionOpenedBeforeTheFirstTierKeepsTheDriversOwnLibraryAndNothingCrashes() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home")); // the cache goes to HOME/.cache, the driver's own copy to /tmp
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "-Duser.home=" + home,
                "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + tmp.resolve("hs_err.log"),
                DriverFirstChild.class.getName(), tmp.resolve("rounds").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "two SQLite libraries in one JVM crash it: " + out);
        assertTrue(out.strip().endsWith("done"), out);
        if (Files.isReadable(Path.of("/proc/self/maps"))) {
            assertTrue(out.contains("native libraries 1\n"), "one SQLite library in the process, not the driver's and the cache's: " + out);
        }
    }

    /** Exit 0 and nothing but the status: no driver log, no JVM warning. */
    private static void assertClean(Run r) {
        assertEquals(0, r.status, r.output);
        assertTrue(r.output.startsWith("Workspace "), "nothing but the status is printed: " + r.output);
        assertTrue(r.output.contains("SQLite 3."), r.output);
        assertFalse(r.output.contains("WARNING") || r.output.contains("SEVERE") || r.output.contains("Exception"), r.output);
    }

    private record Run(int status, String output) {
    }

    private Run status(Path cache) throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "-Dorg.sqlite.tmpdir=" + cache,
                "dev.sluice.cli.Main", "status", "-w", tmp.resolve("ws").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child ended");
        return new Run(p.exitValue(), out);
    }

    private static Path library(Path cache) throws java.io.IOException {
        try (Stream<Path> s = Files.walk(cache)) {
            return s.filter(p -> p.getFileName().toString().equals(System.mapLibraryName("sqlitejdbc"))).findFirst()
                    .orElseThrow(() -> new AssertionError("no cached library under " + cache));
        }
    }
}
