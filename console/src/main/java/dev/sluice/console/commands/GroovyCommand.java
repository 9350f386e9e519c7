package dev.sluice.console.commands;

import dev.sluice.console.CommandContext;
import dev.sluice.console.EvalListener;
import dev.sluice.console.SlashCommand;
import dev.sluice.dsl.Session;
import dev.sluice.tier.Tier;
import groovy.lang.Binding;
import groovy.lang.GroovyShell;
import java.io.PrintWriter;
import org.codehaus.groovy.control.CompilerConfiguration;
import org.codehaus.groovy.control.customizers.ImportCustomizer;

/** {@code /groovy CODE}: evaluates Groovy with the console's bindings (each tier by name, {@code ws}, {@code tiers}). */
final class GroovyCommand implements SlashCommand {
    private GroovyShell shell;
    private Session boundTo;

    @Override
    public String name() {
        return "groovy";
    }

    @Override
    public String summary() {
        return "Evaluate Groovy with the same tiers: /groovy tier1.tables().collect { it.toUpperCase() }";
    }

    @Override
    public String usage() {
        return "/groovy CODE";
    }

    @Override
    public void run(String args, CommandContext ctx) {
        if (args.isBlank()) {
            ctx.out().println("Usage: /groovy CODE, e.g. /groovy tier1.count('conversations') * 2");
            return;
        }
        Object result = shell(ctx).evaluate(args);
        String shown = result == null ? "" : String.valueOf(result);
        if (result != null) {
            ctx.out().println(shown);
            ctx.shown(result);
        }
        ctx.evaluated(EvalListener.Kind.GROOVY, args, shown);
    }

    private GroovyShell shell(CommandContext ctx) {
        Session s = ctx.session();
        if (shell == null || boundTo != s) {
            Binding b = new Binding();
            for (Tier t : s.tiers()) {
                b.setVariable(t.name(), t);
            }
            b.setVariable("ws", s.workspace());
            b.setVariable("tiers", s.tiers());
            b.setVariable("session", s);
            ImportCustomizer imports = new ImportCustomizer()
                    .addStaticStars("dev.sluice.dsl.Sluice")
                    .addStarImports("dev.sluice.dsl", "dev.sluice.tier", "dev.sluice.snapshot");
            CompilerConfiguration cc = new CompilerConfiguration().addCompilationCustomizers(imports);
            shell = new GroovyShell(GroovyCommand.class.getClassLoader(), b, cc);
            boundTo = s;
        }
        // println in the script goes where the console prints.
        shell.getContext().setVariable("out", new PrintWriter(ctx.out(), true));
        return shell;
    }
}
