package dev.sluice.console.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.Journal;
import java.util.List;

/**
 * The console's journal commands: {@code /journal} and {@code /record on|off}. The CLI hands them to the console it opens
 * with the journal it records to (null: {@code --no-journal}).
 */
public final class JournalCommands {
    private JournalCommands() {
    }

    public static List<SlashCommand> of(Journal journal) {
        return List.of(new Show(journal), new Record(journal));
    }

    /** {@code /journal [N]}: where this session is recorded and its last events. */
    static final class Show implements SlashCommand {
        private final Journal journal;

        Show(Journal journal) {
            this.journal = journal;
        }

        @Override
        public String name() {
            return "journal";
        }

        @Override
        public String summary() {
            return "Where this session is recorded, and its last events (default 10)";
        }

        @Override
        public String usage() {
            return "/journal [N]";
        }

        @Override
        public void run(String args, CommandContext ctx) {
            if (journal == null) {
                ctx.out().println("Not recording: this console was opened with --no-journal.");
                return;
            }
            int n = 10;
            if (!args.isBlank()) {
                try {
                    n = Integer.parseInt(args.strip());
                } catch (NumberFormatException e) {
                    throw new SluiceException(ErrorCode.USAGE, "/journal takes a number of events, not '" + args.strip() + "'. Example: /journal 20");
                }
            }
            ctx.out().println(journal);
            for (ObjectNode e : journal.last(n)) {
                // seq, local time and type lead; the hash chain's link is for verification, not for reading
                ObjectNode rest = e.deepCopy();
                rest.remove(List.of("seq", "time", "type", "prev"));
                String s = "#" + e.path("seq").asText() + "  " + dev.sluice.tier.Format.time(e.path("time").asText(null)) + "  "
                        + e.path("type").asText() + "  " + rest;
                ctx.out().println("  " + (s.length() > 160 ? s.substring(0, 159) + "…" : s));
            }
        }
    }

    /** {@code /record on|off}: pause or resume recording (the pause itself is recorded). */
    static final class Record implements SlashCommand {
        private final Journal journal;

        Record(Journal journal) {
            this.journal = journal;
        }

        @Override
        public String name() {
            return "record";
        }

        @Override
        public String summary() {
            return "Pause or resume recording this session (the gap is recorded)";
        }

        @Override
        public String usage() {
            return "/record on|off";
        }

        @Override
        public ArgumentCompleter completer() {
            return (args, ctx) -> List.of("on", "off");
        }

        @Override
        public void run(String args, CommandContext ctx) {
            if (journal == null) {
                throw new SluiceException(ErrorCode.USAGE, "Not recording: this console was opened with --no-journal.");
            }
            String a = args.strip();
            if (!a.equals("on") && !a.equals("off")) {
                throw new SluiceException(ErrorCode.USAGE, "/record takes 'on' or 'off', not '" + a + "'.");
            }
            journal.setRecording(a.equals("on"));
            ctx.out().println("Recording " + (journal.recording() ? "on" : "off") + " (" + journal.file() + ").");
        }
    }
}
