package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.io.IOException;
import java.nio.file.Files;

/**
 * {@code /tiers}: each tier's engine, location, size, table count (the operator's tables, as the banner and
 * {@code sluice status} count them: Sluice's own {@code sluice_*} tables left out) and whether a transaction is open.
 */
final class TiersCommand implements SlashCommand {
    @Override
    public String name() {
        return "tiers";
    }

    @Override
    public String summary() {
        return "Show the tiers: engine, location, size, tables, open transaction";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        for (Tier t : ctx.session().tiers()) {
            String size = "";
            try {
                size = t.file() == null ? "" : Format.bytes(Files.size(t.file()));
            } catch (IOException e) {
                size = "?";
            }
            ctx.out().printf("%-10s %-20s %9s  %3d tables  %s%s%n", t.name(), t.engine().label() + " " + t.engineVersion(), size,
                    TierInternals.dataTables(t).size(), t.config().location(), t.inTransaction() ? "  (transaction open)" : "");
        }
    }
}
