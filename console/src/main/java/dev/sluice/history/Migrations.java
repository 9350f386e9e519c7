package dev.sluice.history;

import dev.sluice.encoding.Sha256;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.SqlLexer;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Flyway-like migrations per tier: the {@code *.sql} files of a folder applied in lexical order, once each, each recorded
 * in {@code sluice_migrations} with the SHA-256 of its text. An applied file whose text changed is refused before anything
 * runs. Inside a step everything joins the step's transaction; outside one, {@code migrate} opens and commits its own.
 */
public final class Migrations {
    public static final String TABLE = "sluice_migrations";
    private static final String DDL = """
            CREATE TABLE IF NOT EXISTS sluice_migrations (
              file TEXT PRIMARY KEY,
              checksum TEXT NOT NULL,
              applied_at TEXT NOT NULL,
              "user" TEXT,
              host TEXT
            )""";

    private Migrations() {
    }

    public static MigrateResult migrate(Tier tier, Path dir) {
        List<Path> files = list(dir);
        Map<String, String> applied = applied(tier);
        Map<String, String> text = new LinkedHashMap<>();
        for (Path f : files) {
            String name = f.getFileName().toString();
            String sql = read(f);
            String sha = Sha256.ofText(sql);
            String was = applied.get(name);
            if (was != null && !was.equals(sha)) {
                throw new SluiceException(ErrorCode.STEP_CHANGED, "Migration " + name + " changed since it was applied to tier '"
                        + tier.name() + "' (applied sha256 " + Sha256.shortForm(was) + ", now " + Sha256.shortForm(sha)
                        + "). Applied migrations never run again: revert the edit and put the change in a new file.");
            }
            text.put(name, sql);
        }
        // Every pending file is read as statements before anything runs: an unclosed quote in the third file stops the
        // migration with nothing of the first two applied, inside a step or not.
        Map<String, List<SqlLexer.Statement>> statements = new LinkedHashMap<>();
        for (var e : text.entrySet()) {
            if (!applied.containsKey(e.getKey())) {
                try {
                    statements.put(e.getKey(), SqlLexer.statements(e.getValue(), tier.engine()));
                } catch (SluiceException ex) {
                    throw new SluiceException(ex.code(), "Migration " + e.getKey() + " on tier '" + tier.name() + "': " + ex.getMessage()
                            + " Nothing was applied.", ex);
                }
            }
        }
        if (tier.readOnly()) {
            // Nothing of Sluice's goes into a read-only tier, not even an empty sluice_migrations table.
            List<String> pending = text.keySet().stream().filter(n -> !applied.containsKey(n)).toList();
            if (!pending.isEmpty()) {
                throw new SluiceException(ErrorCode.USAGE, "Tier '" + tier.name() + "' is read-only; refused to apply " + pending.size()
                        + " migration(s) from " + dir + " (first: " + pending.get(0) + "). Remove \"readOnly\" from its entry in sluice.json "
                        + "if it must change.");
            }
            return new MigrateResult(tier.name(), dir.toString(), List.of(), List.copyOf(text.keySet()));
        }
        boolean own = !tier.inTransaction();
        if (own) {
            tier.begin();
        }
        List<String> done = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Who who = Who.current();
        try {
            tier.exec(DDL.replace("sluice_migrations (", tier.qualified(TABLE) + " ("));
            for (var e : text.entrySet()) {
                if (applied.containsKey(e.getKey())) {
                    skipped.add(e.getKey());
                    continue;
                }
                for (SqlLexer.Statement st : statements.get(e.getKey())) {
                    if (isTransactionControl(st.text(), tier)) {
                        continue; // the step (or migrate itself) is the transaction
                    }
                    try {
                        tier.exec(st.text());
                    } catch (SluiceException ex) {
                        throw new SluiceException(ex.code(), "Migration " + e.getKey() + " on tier '" + tier.name() + "', statement "
                                + st.number() + " (line " + st.line() + "): " + ex.getMessage(), ex);
                    }
                }
                tier.exec("INSERT INTO " + tier.qualified(TABLE) + " (file, checksum, applied_at, \"user\", host) VALUES (?,?,?,?,?)",
                        e.getKey(), Sha256.ofText(e.getValue()), Instant.now().toString(), who.user(), who.host());
                done.add(e.getKey());
            }
            if (own) {
                TierInternals.commit(tier);
            }
        } catch (RuntimeException e) {
            if (own) {
                TierInternals.rollback(tier);
            }
            throw e;
        }
        return new MigrateResult(tier.name(), dir.toString(), done, skipped);
    }

    /** File name → checksum of every migration applied on this tier. */
    public static Map<String, String> applied(Tier tier) {
        Map<String, String> out = new LinkedHashMap<>();
        if (tier.hasTable(TABLE)) {
            tier.each("SELECT file, checksum FROM " + tier.qualified(TABLE) + " ORDER BY file", r -> out.put((String) r.get(0), (String) r.get(1)));
        }
        return out;
    }

    /** BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION|WORK], COMMIT or END [TRANSACTION|WORK], comments aside. */
    static boolean isTransactionControl(String statement, Tier tier) {
        List<String> words = new ArrayList<>();
        for (SqlLexer.Token t : SqlLexer.code(statement, tier.engine())) {
            if (t.kind() != SqlLexer.Kind.WORD || words.size() == 3) {
                return false;
            }
            words.add(t.text().toUpperCase(Locale.ROOT));
        }
        if (words.isEmpty() || !List.of("BEGIN", "COMMIT", "END").contains(words.get(0))) {
            return false;
        }
        int i = 1;
        if (i < words.size() && words.get(0).equals("BEGIN") && List.of("DEFERRED", "IMMEDIATE", "EXCLUSIVE").contains(words.get(i))) {
            i++;
        }
        if (i < words.size() && List.of("TRANSACTION", "WORK").contains(words.get(i))) {
            i++;
        }
        return i == words.size();
    }

    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new SluiceException(ErrorCode.IO, "Migrations folder " + dir + " does not exist. Check the path given to migrate().");
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".sql") && Files.isRegularFile(p))
                    .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot list " + dir + ": " + e.getMessage() + ".", e);
        }
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot read migration " + f + ": " + e.getMessage() + ".", e);
        }
    }
}
