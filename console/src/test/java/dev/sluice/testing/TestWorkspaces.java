package dev.sluice.testing;

import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/** Real workspaces on real SQLite files for tests: no mocks of the database. */
public final class TestWorkspaces {
    private TestWorkspaces() {
    }

    /** Writes a workspace in {@code dir} with one SQLite tier per name at data/NAME.db (files created on first open). */
    public static Workspace sqlite(Path dir, String... tiers) {
        Map<String, TierSpec> specs = new LinkedHashMap<>();
        for (String t : tiers) {
            specs.put(t, TierSpec.of("data/" + t + ".db"));
        }
        Workspace.write(dir, new Workspace.File(specs, "snapshots", "sessions"));
        return Workspace.load(dir);
    }

    /** A fresh SQLite tier named {@code name} at DIR/data/NAME.db (created), in its own one-tier workspace. */
    public static dev.sluice.tier.Tier tier(Path dir, String name) {
        return dev.sluice.tier.Tier.open(sqlite(dir, name).tier(name), true);
    }

    /** SHA-256 of a file's bytes: "nothing changed" assertions compare these. */
    public static String fileHash(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies a workspace folder (a fixture taken before a run, to replay that run's journal on). */
    public static Path copyTree(Path from, Path to) {
        try (java.util.stream.Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The one journal a workspace's run wrote. */
    public static Path onlyJournal(Path ws) {
        try (java.util.stream.Stream<Path> s = Files.list(ws.resolve("sessions"))) {
            java.util.List<Path> all = s.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList();
            if (all.size() != 1) {
                throw new AssertionError("expected one journal in " + ws + "/sessions, found " + all);
            }
            return all.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
