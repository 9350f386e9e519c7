package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalFile;
import dev.sluice.journal.MarkdownExport;
import dev.sluice.journal.PlaybookExport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true, description = {
        "Turn a recorded session into a Groovy playbook (inputs up to each commit become a step, observations become expectations)",
        "or into a Markdown runbook a person can follow.",
        "Examples: sluice export sessions/20261121-101500-000-ana.jsonl --to playbook -o playbooks/rehearsal.groovy",
        "          sluice export sessions/20261121-101500-000-ana.jsonl --to markdown"})
final class ExportCommand implements Callable<Integer> {
    enum Format { playbook, markdown }

    @Parameters(index = "0", paramLabel = "FILE", description = "The journal (.jsonl).")
    Path file;

    @Option(names = "--to", required = true, paramLabel = "FORMAT", description = "playbook or markdown.")
    Format to;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Where to write it (default: standard output).")
    Path output;

    @Option(names = "--force", description = "Export a journal whose hash chain is broken or that was cut short, up to that point.")
    boolean force;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JournalFile jf = JournalFile.read(file, force);
        if (jf.problem() != null) {
            spec.commandLine().getErr().println("warning: " + jf.problem() + "; exporting only what comes before line " + jf.doubtFrom()
                    + ", the first the hash chain does not vouch for: every line from there on is left out (--force).");
            spec.commandLine().getErr().flush();
        }
        String text = to == Format.playbook ? PlaybookExport.render(jf) : MarkdownExport.render(jf);
        if (output == null) {
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (Files.exists(output)) {
            throw new SluiceException(ErrorCode.USAGE, output + " exists already; choose another file or remove it first.");
        }
        try {
            Path abs = output.toAbsolutePath();
            if (abs.getParent() != null) {
                Files.createDirectories(abs.getParent());
            }
            Files.writeString(abs, text);
        } catch (IOException e) {
            throw new SluiceException(ErrorCode.IO, "Cannot write " + output + ": " + e.getMessage() + ".", e);
        }
        spec.commandLine().getOut().println("Wrote " + output + " (" + to + ").");
        return 0;
    }
}
