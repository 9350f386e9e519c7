package dev.sluice.tier;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.workspace.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One tier's health and identity checks: SQLite's integrity, quick and foreign-key checks as reports (damage that stops
 * a check is its answer, not an error), and the fingerprint (engine, schema hash, counts, file size, journal mode).
 */
final class TierChecks {
    private final Tier tier;
    private final Engine engine;
    private final TierConnection conn;
    private final TierStatements statements;
    private final TierCatalogue catalogue;
    private final TierListeners listeners;

    TierChecks(Tier tier, TierConnection conn, TierStatements statements, TierCatalogue catalogue, TierListeners listeners) {
        this.tier = tier;
        this.engine = tier.engine();
        this.conn = conn;
        this.statements = statements;
        this.catalogue = catalogue;
        this.listeners = listeners;
    }


    IntegrityReport integrity() {
        return listeners.observe("integrity", List.of(), pragmaCheck("integrity_check"));
    }

    IntegrityReport quickCheck() {
        return listeners.observe("quickCheck", List.of(), pragmaCheck("quick_check"));
    }

    IntegrityReport foreignKeyCheck() {
        requireSqlite("foreignKeyCheck()");
        List<String> problems = new ArrayList<>();
        statements.scan(conn.pragma("foreign_key_check"), List.of(), r -> problems.add(
                r.get(0) + " rowid " + r.get(1) + " references missing row in " + r.get(2) + " (constraint " + r.get(3) + ")"));
        return listeners.observe("foreignKeyCheck", List.of(), new IntegrityReport(tier.name(), "foreign_key_check", problems));
    }

    private IntegrityReport pragmaCheck(String pragma) {
        requireSqlite(pragma);
        List<String> lines = new ArrayList<>();
        try {
            statements.scan(conn.pragma(pragma), List.of(), r -> lines.add(String.valueOf(r.get(0))));
        } catch (SluiceException e) {
            if (e.code() != ErrorCode.INTEGRITY || tier.damage() == null) {
                throw e;
            }
            // Damage bad enough to stop the check itself is still its answer, not an error of the call.
            lines.add(tier.damage() + ": the check stopped at a damaged page of " + tier.config().location());
        }
        if (lines.size() == 1 && lines.get(0).equals("ok")) {
            lines.clear();
        }
        return new IntegrityReport(tier.name(), pragma, lines);
    }

    private void requireSqlite(String what) {
        if (engine != Engine.SQLITE) {
            throw new SluiceException(ErrorCode.UNSUPPORTED, what + " is not supported for " + engine.label()
                    + " tiers yet (tier '" + tier.name() + "'). Use the engine's own checks (e.g. amcheck) for now.");
        }
    }

    /** Engine, version, schema hash, per-table counts, file size and journal mode, as of now. */
    Fingerprint fingerprint() {
        Fingerprint f = withoutCounts();
        f = new Fingerprint(f.tier(), f.engine(), f.engineVersion(), f.schemaSha256(), catalogue.rowCounts(), f.fileBytes(), f.journalMode(),
                f.takenAt());
        return listeners.observe("fingerprint", List.of(), f);
    }

    /** The fingerprint without its counts ({@code counts} null), unobserved: the cheap part, whatever the data's size. */
    Fingerprint withoutCounts() {
        MessageDigest md = Checksummer.sha256();
        if (engine == Engine.SQLITE) {
            statements.scan("SELECT type, name, tbl_name, coalesce(sql, '') FROM " + conn.qualified("sqlite_schema") + " WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                    + "AND tbl_name NOT LIKE 'sluice\\_%' ESCAPE '\\' ORDER BY type, name", List.of(), r -> {
                for (int i = 0; i < 4; i++) {
                    md.update(String.valueOf(r.get(i)).getBytes(StandardCharsets.UTF_8));
                    md.update((byte) 0);
                }
            });
        } else {
            for (String t : catalogue.dataTables()) {
                md.update(t.getBytes(StandardCharsets.UTF_8));
                for (Column c : catalogue.columns(t)) {
                    md.update(c.toString().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        Long size = null;
        String journal = null;
        if (tier.file() != null) {
            try {
                size = Files.size(tier.file());
            } catch (IOException e) {
                size = null;
            }
            journal = String.valueOf(statements.ask(conn.pragma("journal_mode")).value());
        }
        return new Fingerprint(tier.name(), engine.label(), tier.engineVersion(), HexFormat.of().formatHex(md.digest()), null, size, journal,
                Instant.now().toString());
    }
}
