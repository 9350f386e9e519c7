package dev.sluice.console.commands;

import dev.sluice.console.Arguments;
import dev.sluice.console.CommandContext;
import dev.sluice.console.SlashCommand;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /save FILE}: writes this session's inputs as a script that {@code sluice console -f FILE} runs again. */
public final class SaveCommand implements SlashCommand {
    private static final Set<String> NOT_SAVED = Set.of("/save", "/history", "/exit", "/help");

    @Override
    public String name() {
        return "save";
    }

    @Override
    public String summary() {
        return "Save this session's inputs as a script: /save checks.jsh (run it with sluice console -f)";
    }

    @Override
    public String usage() {
        return "/save FILE";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        List<String> words = Arguments.split(args);
        if (words.size() != 1) {
            throw new SluiceException(ErrorCode.USAGE, "/save needs one file name, e.g. /save checks.jsh (quote a name with spaces: /save \"my checks.jsh\").");
        }
        Path file = Path.of(words.get(0));
        if (!file.isAbsolute()) {
            file = ctx.session().workspace().dir().resolve(file);
        }
        List<String> lines = new ArrayList<>();
        for (String in : ctx.history()) {
            String first = in.split("\\s", 2)[0];
            if (!NOT_SAVED.contains(first)) {
                lines.add(in);
            }
        }
        try {
            Files.write(file, lines);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write " + file + ": " + e.getMessage() + ".", e);
        }
        ctx.out().println("Saved " + lines.size() + " input(s) to " + file);
    }
}
