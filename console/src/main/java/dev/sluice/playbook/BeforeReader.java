package dev.sluice.playbook;

import dev.sluice.tier.Checksum;
import dev.sluice.tier.Checksummer;
import dev.sluice.tier.Tier;
import dev.sluice.workspace.Engine;
import dev.sluice.workspace.TierConfig;
import java.util.Map;

/** Reads the committed state of a SQLite tier through a connection of its own (the step's changes are invisible to it). */
final class BeforeReader implements AutoCloseable {
    private final Tier tier;
    private Tier side;
    String why;

    BeforeReader(Tier tier) {
        this.tier = tier;
    }

    Checksum checksum(String table) {
        if (tier.engine() != Engine.SQLITE || tier.file() == null) {
            why = "not a SQLite file";
            return null;
        }
        try {
            if (side == null) {
                TierConfig c = tier.config();
                side = Tier.open(new TierConfig(c.name(), c.url(), c.user(), c.password(), Map.of("busy_timeout", "0"), true,
                        c.optional(), false, c.sqliteFile()));
            }
            return new Checksummer(side).checksum(table, null, null);
        } catch (RuntimeException e) {
            why = "committed side unreadable while the step holds the file: " + e.getMessage();
            return null;
        }
    }

    @Override
    public void close() {
        if (side != null) {
            side.close();
        }
    }
}
