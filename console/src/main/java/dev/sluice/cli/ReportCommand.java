package dev.sluice.cli;

import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import dev.sluice.journal.JournalFile;
import dev.sluice.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true, description = {
        "Write the report of a recorded run, replay or console session from its journal.",
        "As run --report and replay --report do: an HTML page (self-contained) when OUT ends in .html, else Markdown;",
        "without -o, Markdown on standard output.",
        "A journal recorded by an older Sluice still renders, and the report says what it does not hold.",
        "Example: sluice report sessions/20261121-101500-000-ana.jsonl -o CHG-1234.html"})
final class ReportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The journal (.jsonl).")
    Path file;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", description = "Where to write it: OUT.html or OUT.md (default: Markdown on standard output).")
    Path output;

    @Option(names = "--force", description = "Report on a journal whose hash chain is broken or that was cut short, up to that point (the report says so).")
    boolean force;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        JournalFile jf = JournalFile.read(file, force);
        if (output == null) {
            spec.commandLine().getOut().print(Report.markdown(jf));
            spec.commandLine().getOut().flush();
            return 0;
        }
        if (Files.exists(output)) {
            throw new SluiceException(ErrorCode.USAGE, output + " exists already; choose another file or remove it first.");
        }
        spec.commandLine().getOut().println("Report written to " + Report.write(jf, output));
        return 0;
    }
}
