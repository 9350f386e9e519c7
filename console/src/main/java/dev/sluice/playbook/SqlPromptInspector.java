package dev.sluice.playbook;

import dev.sluice.dsl.Session;
import dev.sluice.error.SluiceException;
import dev.sluice.tier.Tier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;

/**
 * The default inspector: a line-oriented SQL prompt on the step's own connections, so uncommitted rows are visible.
 * {@code SELECT …} runs on the current tier, {@code tier2: SELECT …} on another, {@code use tier2} switches,
 * {@code counts} and {@code tables} show the current tier, {@code exit} (or end of input) goes back to the question.
 * Writes are refused: inspecting must not change what the step did.
 */
public final class SqlPromptInspector implements Inspector {
    private final BufferedReader in;
    private final PrintWriter out;

    public SqlPromptInspector(BufferedReader in, PrintWriter out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public void inspect(Session session, StepContext ctx) {
        String current = ctx != null && !ctx.writtenTiers().isEmpty() ? ctx.writtenTiers().iterator().next() : session.tiers().names().get(0);
        out.println("Inspecting inside step '" + (ctx == null ? "?" : ctx.step().name()) + "' (transactions open, uncommitted rows visible). "
                + "Type SQL for " + current + ", 'TIER: SQL', 'use TIER', 'counts', 'tables', or 'exit'.");
        while (true) {
            out.print("inspect " + current + "> ");
            out.flush();
            String line;
            try {
                line = in.readLine();
            } catch (IOException e) {
                return;
            }
            if (line == null) {
                return;
            }
            line = line.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("exit") || line.equals("quit") || line.equals("/exit")) {
                return;
            }
            try {
                if (line.startsWith("use ")) {
                    String n = line.substring(4).strip();
                    session.tier(n);
                    current = n;
                    continue;
                }
                String tierName = current;
                String sql = line;
                int colon = line.indexOf(':');
                if (colon > 0 && session.tiers().has(line.substring(0, colon).strip())) {
                    tierName = line.substring(0, colon).strip();
                    sql = line.substring(colon + 1).strip();
                }
                Tier t = session.tier(tierName);
                if (sql.equals("counts")) {
                    PlaybookSession.counts(t).forEach((k, v) -> out.printf("  %-28s %,d%n", k, v));
                } else if (sql.equals("tables")) {
                    out.println("  " + String.join(", ", t.tables()));
                } else {
                    String head = sql.replaceAll("^\\s*(--[^\n]*\n)*", "").strip().toUpperCase(java.util.Locale.ROOT);
                    if (!(head.startsWith("SELECT") || head.startsWith("WITH") || head.startsWith("PRAGMA") || head.startsWith("EXPLAIN")
                            || head.startsWith("VALUES"))) {
                        out.println("Refused: inspect only reads (SELECT, WITH, PRAGMA, EXPLAIN). Decide on the step to change things.");
                        continue;
                    }
                    out.println(t.query(sql.replaceAll(";\\s*$", "")));
                }
            } catch (SluiceException e) {
                out.println(e.kind() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                out.println("Error: " + e.getMessage());
            }
        }
    }
}
