package dev.sluice.console;

import dev.sluice.dsl.Session;
import dev.sluice.dsl.Sluice;
import dev.sluice.tier.Format;
import dev.sluice.tier.Tier;
import dev.sluice.tier.TierInternals;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.List;

/** What a newcomer sees first: the tiers with engine, size and table count, and three things to try. */
final class Banner {
    private Banner() {
    }

    static void print(PrintStream out, Session session) {
        print(out, session, false);
    }

    /** With {@code sandbox} every line starts with SANDBOX, and the tier lines show where the copies are. */
    static void print(PrintStream out, Session session, boolean sandbox) {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        PrintStream lines = new PrintStream(buf, true, java.nio.charset.StandardCharsets.UTF_8);
        lines(lines, session, sandbox);
        lines.flush();
        buf.toString(java.nio.charset.StandardCharsets.UTF_8).lines().forEach(l -> out.println(sandbox ? "SANDBOX " + l : l));
        out.flush();
    }

    private static void lines(PrintStream out, Session session, boolean sandbox) {
        out.println("Sluice " + Sluice.version() + " — workspace " + session.workspace().dir()
                + (sandbox ? " — on throwaway copies of its tiers; the live tiers are never touched" : ""));
        for (Tier t : session.tiers()) {
            String size = "";
            try {
                if (t.file() != null) {
                    size = Format.bytes(Files.size(t.file()));
                }
            } catch (IOException e) {
                size = "?";
            }
            int tables;
            try {
                tables = TierInternals.dataTables(t).size(); // the operator's tables: as status counts them, no sluice_* bookkeeping
            } catch (RuntimeException e) {
                tables = -1;
            }
            out.printf("  %-10s %-22s %9s  %s%s%n", t.name(), t.engine().label() + " " + t.engineVersion(), size,
                    tables < 0 ? "tables unknown" : tables + (tables == 1 ? " table" : " tables"),
                    TierInternals.damage(t) == null ? "" : "  DAMAGED (" + TierInternals.damage(t) + "): " + t.name() + ".integrity() shows where");
            if (sandbox) {
                out.println("             copy at " + t.config().location());
            }
        }
        out.println("Try:");
        for (String s : suggestions(session)) {
            out.println("  " + s);
        }
        out.println("Tab completes Java, tier, table and column names; /help lists commands; Ctrl-C cancels; Ctrl-D leaves.");
    }

    /** The demo's three suggestions, or ones built from the first tier and table of any other workspace. */
    static List<String> suggestions(Session session) {
        if (session.tiers().has("tier1") && session.tiers().has("tier2") && session.tier("tier1").hasTable("conversations")
                && session.tier("tier1").hasTable("messages")) {
            return List.of(
                    "tier1.count(\"conversations\")",
                    "tier1.query(\"select role, count(*) as n from messages group by role\")",
                    "tier1.checksum(\"messages\")     then  /schema tier2.patterns");
        }
        for (Tier t : session.tiers()) {
            List<String> tables = TierInternals.dataTables(t);
            if (!tables.isEmpty()) {
                String tb = tables.get(0);
                return List.of(t.name() + ".count(\"" + tb + "\")",
                        t.name() + ".query(\"select * from " + tb + " limit 5\")",
                        "/tables " + t.name());
            }
        }
        return List.of("tiers", "/tiers", "/help");
    }
}
