package dev.sluice.playbook;

import dev.sluice.testing.TestWorkspaces;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Workspace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A three-tier workspace on real SQLite files (tier2 in WAL mode), each with items(id, name) holding three rows. */
final class PlaybookFixture {
    final Path dir;
    final Workspace ws;

    PlaybookFixture(Path dir) {
        this.dir = dir;
        this.ws = TestWorkspaces.sqlite(dir, "tier1", "tier2", "tier3");
        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            try (Tier tier = Tier.open(ws.tier(t), true)) {
                tier.script((t.equals("tier2") ? "PRAGMA journal_mode = WAL;\n" : "")
                        + "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n"
                        + "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');");
            }
        }
    }

    Path playbook(String name, String text) {
        try {
            Path p = dir.resolve("playbooks").resolve(name);
            Files.createDirectories(p.getParent());
            Files.writeString(p, text);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file(String tier) {
        return dir.resolve("data").resolve(tier + ".db");
    }

    /** Tier file name → SHA-256 of its bytes. */
    Map<String, String> hashes() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String t : new String[]{"tier1", "tier2", "tier3"}) {
            out.put(t, TestWorkspaces.fileHash(file(t)));
        }
        return out;
    }

    /** Runs one query on a fresh connection (sees committed data only). */
    Object value(String tier, String sql) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return t.query(sql).value();
        }
    }

    long count(String tier, String table) {
        return ((Number) value(tier, "SELECT count(*) FROM " + table)).longValue();
    }

    long historyRows(String tier) {
        try (Tier t = Tier.open(ws.tier(tier))) {
            return t.hasTable("sluice_history") ? ((Number) t.query("SELECT count(*) FROM sluice_history").value()).longValue() : 0;
        }
    }

    String[] args(Path playbook, String... more) {
        String[] a = new String[3 + more.length];
        a[0] = "run";
        a[1] = playbook.toString();
        a[2] = "-w=" + dir;
        System.arraycopy(more, 0, a, 3, more.length);
        return a;
    }
}
