package dev.sluice.demo;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import dev.sluice.workspace.TierSpec;
import dev.sluice.workspace.Workspace;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Builds the demo workspace: three SQLite tiers shaped like the CORTEX 1.0 tiers of seed 000 — tier1 conversations and
 * messages, tier2 patterns with an FTS5 index, tier3 archives(id, period, payload, created_at, …) with BLOB payloads. Deterministic (fixed seed and clock).
 */
public final class DemoWorkspace {
    public static final int CONVERSATIONS = 2_000;
    public static final int MESSAGES_PER_CONVERSATION = 12;
    public static final int PATTERNS = 5_000;
    public static final int ARCHIVES = 3_000;
    private static final LocalDateTime EPOCH = LocalDateTime.of(2025, 1, 1, 8, 0);
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String[] TOPICS = {"migration", "backfill", "schema", "index", "vacuum", "plugin", "health report",
            "retention", "snapshot", "rollback", "provenance", "latency", "WAL mode", "FTS5 search", "archive", "café ☕ notes"};
    private static final String[] ROLES = {"user", "assistant", "system"};

    private DemoWorkspace() {
    }

    /** Creates the demo in {@code dir}; an existing demo workspace there is left as it is. Returns the workspace. */
    public static Workspace create(Path dir) {
        if (Files.exists(dir.resolve(Workspace.JSON_FILE))) {
            return Workspace.load(dir);
        }
        if (Files.exists(dir) && !isEmptyDir(dir)) {
            throw new SluiceException(ErrorCode.WORKSPACE, dir.toAbsolutePath() + " exists and is not empty or a workspace. "
                    + "Choose a new folder for the demo, e.g. 'sluice demo /tmp/sluice-demo'.");
        }
        Map<String, TierSpec> tiers = new LinkedHashMap<>();
        tiers.put("tier1", TierSpec.of("data/tier1.db"));
        tiers.put("tier2", TierSpec.of("data/tier2.db"));
        tiers.put("tier3", TierSpec.of("data/tier3.db"));
        Workspace.write(dir, new Workspace.File(tiers, "snapshots", "sessions"));
        Workspace ws = Workspace.load(dir);
        writePluginRegistry(dir);
        try (Tier t1 = Tier.open(ws.tier("tier1"), true); Tier t2 = Tier.open(ws.tier("tier2"), true);
             Tier t3 = Tier.open(ws.tier("tier3"), true)) {
            tier1(t1);
            tier2(t2);
            tier3(t3);
        } catch (SQLException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot build the demo in " + dir + ": " + e.getMessage() + ".", e);
        }
        return ws;
    }

    /** CORTEX 1.0 keeps its plugin registry beside the tiers; seed 000's playbook registers these plugins in 2.0. */
    private static void writePluginRegistry(Path dir) {
        try {
            Files.writeString(dir.resolve("cortex.config.json"), """
                    {"plugins": [
                      {"name": "boundary-guard", "version": "1.4.0", "entry_point": "cortex.plugins.boundary:Guard", "hooks": ["before_write"]},
                      {"name": "self-review", "version": "2.0.0", "entry_point": "cortex.plugins.review:SelfReview", "hooks": ["daily"]},
                      {"name": "doc-refresh", "version": "1.1.2", "entry_point": "cortex.plugins.docs:Refresh", "hooks": ["on_conversation_end"],
                       "enabled": false}
                    ]}
                    """);
        } catch (java.io.IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write the demo's plugin registry in " + dir + ": " + e.getMessage() + ".", e);
        }
    }

    private static boolean isEmptyDir(Path dir) {
        try (var s = Files.list(dir)) {
            return Files.isDirectory(dir) && s.findAny().isEmpty();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String ts(long minutes) {
        return EPOCH.plusMinutes(minutes).format(TS);
    }

    static void tier1(Tier t) throws SQLException {
        t.script("""
                PRAGMA journal_mode = WAL;
                CREATE TABLE conversations (
                  id INTEGER PRIMARY KEY,
                  session_id TEXT NOT NULL,
                  title TEXT NOT NULL,
                  created_at TIMESTAMP NOT NULL,
                  last_updated TIMESTAMP NOT NULL,
                  message_count INTEGER NOT NULL DEFAULT 0
                );
                CREATE TABLE messages (
                  id INTEGER PRIMARY KEY,
                  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
                  role TEXT NOT NULL CHECK (role IN ('user','assistant','system')),
                  content TEXT NOT NULL,
                  tokens INTEGER,
                  created_at TIMESTAMP NOT NULL
                );
                CREATE INDEX idx_messages_conversation ON messages(conversation_id, created_at);
                CREATE INDEX idx_conversations_updated ON conversations(last_updated DESC);
                """);
        Random r = new Random(1);
        Connection c = TierInternals.connection(t);
        t.begin();
        try (PreparedStatement conv = c.prepareStatement("INSERT INTO conversations VALUES (?,?,?,?,?,?)");
             PreparedStatement msg = c.prepareStatement("INSERT INTO messages VALUES (?,?,?,?,?,?)")) {
            long mid = 1;
            for (int i = 1; i <= CONVERSATIONS; i++) {
                long start = i * 190L + r.nextInt(120);
                String topic = TOPICS[r.nextInt(TOPICS.length)];
                conv.setLong(1, i);
                conv.setString(2, String.format("sess-%04d", 1 + r.nextInt(400)));
                conv.setString(3, "Conversation about " + topic + " #" + i);
                conv.setString(4, ts(start));
                conv.setString(5, ts(start + MESSAGES_PER_CONVERSATION * 3L));
                conv.setInt(6, MESSAGES_PER_CONVERSATION);
                conv.addBatch();
                for (int m = 0; m < MESSAGES_PER_CONVERSATION; m++) {
                    msg.setLong(1, mid++);
                    msg.setLong(2, i);
                    msg.setString(3, m == 0 ? "system" : ROLES[m % 2]);
                    msg.setString(4, sentence(r, topic));
                    if (r.nextInt(10) == 0) {
                        msg.setNull(5, java.sql.Types.INTEGER);
                    } else {
                        msg.setInt(5, 20 + r.nextInt(400));
                    }
                    msg.setString(6, ts(start + m * 3L));
                    msg.addBatch();
                }
                if (i % 200 == 0) {
                    conv.executeBatch();
                    msg.executeBatch();
                }
            }
            conv.executeBatch();
            msg.executeBatch();
        }
        t.commit();
    }

    static void tier2(Tier t) throws SQLException {
        t.script("""
                PRAGMA journal_mode = WAL;
                CREATE TABLE patterns (
                  id INTEGER PRIMARY KEY,
                  name TEXT NOT NULL UNIQUE,
                  category TEXT NOT NULL,
                  description TEXT NOT NULL,
                  confidence REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
                  usage_count INTEGER NOT NULL DEFAULT 0,
                  created_at TIMESTAMP NOT NULL
                );
                CREATE VIRTUAL TABLE patterns_fts USING fts5(name, description, content='patterns', content_rowid='id');
                CREATE TRIGGER patterns_ai AFTER INSERT ON patterns BEGIN
                  INSERT INTO patterns_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
                END;
                CREATE TRIGGER patterns_ad AFTER DELETE ON patterns BEGIN
                  INSERT INTO patterns_fts(patterns_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
                END;
                CREATE TRIGGER patterns_au AFTER UPDATE ON patterns BEGIN
                  INSERT INTO patterns_fts(patterns_fts, rowid, name, description) VALUES ('delete', old.id, old.name, old.description);
                  INSERT INTO patterns_fts(rowid, name, description) VALUES (new.id, new.name, new.description);
                END;
                """);
        String[] categories = {"workflow", "error-recovery", "architecture", "testing", "performance"};
        Random r = new Random(2);
        t.begin();
        try (PreparedStatement p = TierInternals.connection(t).prepareStatement("INSERT INTO patterns VALUES (?,?,?,?,?,?,?)")) {
            for (int i = 1; i <= PATTERNS; i++) {
                String topic = TOPICS[r.nextInt(TOPICS.length)];
                p.setLong(1, i);
                p.setString(2, "pattern-" + i + "-" + topic.replace(' ', '-'));
                p.setString(3, categories[r.nextInt(categories.length)]);
                p.setString(4, sentence(r, topic));
                p.setDouble(5, Math.round(r.nextDouble() * 1000) / 1000.0);
                p.setInt(6, r.nextInt(500));
                p.setString(7, ts(i * 7L));
                p.addBatch();
                if (i % 500 == 0) {
                    p.executeBatch();
                }
            }
            p.executeBatch();
        }
        t.commit();
    }

    static void tier3(Tier t) throws SQLException {
        t.script("""
                PRAGMA journal_mode = WAL;
                CREATE TABLE archives (
                  id INTEGER PRIMARY KEY,
                  period TEXT NOT NULL,
                  payload BLOB NOT NULL,
                  created_at TIMESTAMP NOT NULL,
                  conversation_id INTEGER,
                  summary TEXT,
                  size_bytes INTEGER
                );
                CREATE INDEX idx_archives_conversation ON archives(conversation_id);
                CREATE TABLE archive_tags (
                  archive_id INTEGER NOT NULL REFERENCES archives(id),
                  tag TEXT NOT NULL
                );
                """);
        Random r = new Random(3);
        t.begin();
        try (PreparedStatement a = TierInternals.connection(t).prepareStatement(
                "INSERT INTO archives (id, conversation_id, created_at, summary, payload, size_bytes, period) VALUES (?,?,?,?,?,?,?)");
             PreparedStatement g = TierInternals.connection(t).prepareStatement("INSERT INTO archive_tags VALUES (?,?)")) {
            for (int i = 1; i <= ARCHIVES; i++) {
                byte[] payload = new byte[200 + r.nextInt(1800)];
                r.nextBytes(payload);
                a.setLong(1, i);
                a.setLong(2, 1 + r.nextInt(CONVERSATIONS));
                a.setString(3, ts(500_000L + i * 11L));
                if (r.nextInt(8) == 0) {
                    a.setNull(4, java.sql.Types.VARCHAR);
                } else {
                    a.setString(4, sentence(r, TOPICS[r.nextInt(TOPICS.length)]));
                }
                a.setBytes(5, payload);
                a.setInt(6, payload.length);
                a.setString(7, ts(500_000L + i * 11L).substring(0, 7));
                a.addBatch();
                g.setLong(1, i);
                g.setString(2, TOPICS[r.nextInt(TOPICS.length)]);
                g.addBatch();
            }
            a.executeBatch();
            g.executeBatch();
        }
        t.commit();
    }

    private static final String[] WORDS = ("the a step table row index query commit rollback checksum tier snapshot verify count "
            + "batch migrate plan apply restore schema column pattern archive conversation message token latency health").split(" ");

    private static String sentence(Random r, String topic) {
        StringBuilder sb = new StringBuilder();
        int n = 6 + r.nextInt(18);
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(i == n / 2 ? topic : WORDS[r.nextInt(WORDS.length)]);
        }
        return new String(sb.append('.').toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}
