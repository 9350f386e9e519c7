package dev.sluice.playbook.groovy;

import dev.sluice.encoding.Sha256;
import dev.sluice.error.ErrorCode;
import dev.sluice.error.SluiceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.ModuleNode;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.control.CompilationUnit;
import org.codehaus.groovy.control.MultipleCompilationErrorsException;
import org.codehaus.groovy.control.Phases;
import org.codehaus.groovy.control.messages.Message;
import org.codehaus.groovy.control.messages.SyntaxErrorMessage;
import org.codehaus.groovy.syntax.SyntaxException;

/**
 * What the loader learns from a playbook's syntax tree before running it: every keyword call with its span (line,
 * column, end), the grammar checked against {@link Grammar#ALLOWED}, and each step's own source text for its checksum.
 * Syntax errors become one line with {@code file:line:column}.
 */
final class SourceIndex {
    /** A keyword call in the source: where it starts and ends (end column exclusive), and its first argument if constant. */
    record Call(Grammar.Keyword keyword, int line, int column, int lastLine, int lastColumn, String firstArg) {
    }

    private final String display;
    private final String[] lines;
    private final List<Call> calls = new ArrayList<>();

    private SourceIndex(String display, String text) {
        this.display = display;
        this.lines = text.split("\n", -1);
    }

    static SourceIndex parse(String display, String scriptName, String text) {
        SourceIndex idx = new SourceIndex(display, text);
        CompilationUnit cu = new CompilationUnit();
        cu.addSource(scriptName, text);
        try {
            cu.compile(Phases.CONVERSION);
        } catch (MultipleCompilationErrorsException e) {
            throw idx.syntaxError(e, scriptName, text);
        }
        ModuleNode module = cu.getAST().getModules().get(0);
        idx.walk(module);
        return idx;
    }

    private SluiceException syntaxError(MultipleCompilationErrorsException e, String scriptName, String text) {
        Message m = e.getErrorCollector().getErrorCount() > 0 ? e.getErrorCollector().getError(0) : null;
        if (m instanceof SyntaxErrorMessage sm) {
            SyntaxException se = sm.getCause();
            // The parser blames the outermost call when a closure inside it fails; the locator finds the real spot.
            SyntaxLocator.Found f = SyntaxLocator.locate(scriptName, text)
                    .orElse(new SyntaxLocator.Found(se.getStartLine(), se.getStartColumn(), se.getOriginalMessage()));
            return new SluiceException(ErrorCode.PLAYBOOK, display + ":" + f.line() + ":" + f.column() + ": " + firstLine(f.message())
                    + ". Fix the Groovy syntax there.", e);
        }
        return new SluiceException(ErrorCode.PLAYBOOK, display + ": " + firstLine(e.getMessage().replaceFirst("(?s)^startup failed:\\s*", ""))
                + ".", e);
    }

    private void walk(ModuleNode module) {
        Deque<Grammar.Block> blocks = new ArrayDeque<>();
        blocks.push(Grammar.Block.FILE);
        CodeVisitorSupport v = new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                Optional<Grammar.Keyword> kw = call.isImplicitThis() ? Grammar.Keyword.of(call.getMethodAsString()) : Optional.empty();
                if (kw.isPresent() && kw.get().contextual() && !Grammar.allowed(blocks.peek(), kw.get())) {
                    kw = Optional.empty(); // an ordinary call outside its block (journalMode in a step)
                }
                if (kw.isEmpty()) {
                    super.visitMethodCallExpression(call);
                    return;
                }
                Grammar.Keyword k = kw.get();
                if (!Grammar.allowed(blocks.peek(), k)) {
                    throw new SluiceException(ErrorCode.PLAYBOOK, display + ":" + call.getLineNumber() + ":" + call.getColumnNumber() + ": "
                            + k.misuse() + ".");
                }
                calls.add(new Call(k, call.getLineNumber(), call.getColumnNumber(), call.getLastLineNumber(), call.getLastColumnNumber(),
                        firstConstant(call.getArguments())));
                call.getObjectExpression().visit(this);
                if (k.opens() != null) {
                    blocks.push(k.opens());
                }
                try {
                    call.getArguments().visit(this);
                } finally {
                    if (k.opens() != null) {
                        blocks.pop();
                    }
                }
            }

            @Override
            public void visitClosureExpression(ClosureExpression expression) {
                super.visitClosureExpression(expression);
            }
        };
        module.getStatementBlock().visit(v);
        module.getMethods().forEach(m -> {
            if (m.getCode() != null) {
                m.getCode().visit(v);
            }
        });
    }

    private static String firstConstant(Expression args) {
        // Named arguments (step 'x', always: true, { … }) arrive first as one map: the name is the next argument.
        if (args instanceof TupleExpression t && t.getExpressions().size() > 1
                && t.getExpression(0) instanceof org.codehaus.groovy.ast.expr.MapExpression) {
            Expression second = t.getExpression(1);
            return second instanceof ConstantExpression c && c.getValue() instanceof String s ? s : null;
        }
        if (args instanceof TupleExpression t && !t.getExpressions().isEmpty() && t.getExpression(0) instanceof ConstantExpression c
                && c.getValue() instanceof String s) {
            return s;
        }
        if (args instanceof ArgumentListExpression a && !a.getExpressions().isEmpty() && a.getExpression(0) instanceof ConstantExpression c
                && c.getValue() instanceof String s) {
            return s;
        }
        return null;
    }

    List<Call> calls() {
        return calls;
    }

    /** The keyword call of this kind on {@code line} (the first if several), if any. */
    Optional<Call> callAt(Grammar.Keyword k, int line) {
        return calls.stream().filter(c -> c.keyword() == k && c.line() == line).findFirst();
    }

    /** The column of {@code word} on {@code line}, or of its first non-blank character. */
    int columnOf(int line, String word) {
        if (line < 1 || line > lines.length) {
            return 1;
        }
        String l = lines[line - 1];
        if (word != null) {
            for (Call c : calls) {
                if (c.line() == line && c.keyword().word().equals(word)) {
                    return c.column();
                }
            }
            int i = l.indexOf(word);
            if (i >= 0) {
                return i + 1;
            }
        }
        int i = 0;
        while (i < l.length() && Character.isWhitespace(l.charAt(i))) {
            i++;
        }
        return i + 1;
    }

    /** The exact source text of a call, from its first character to its last. */
    String text(Call c) {
        StringBuilder sb = new StringBuilder();
        for (int ln = c.line(); ln <= c.lastLine(); ln++) {
            String l = lines[ln - 1];
            int from = ln == c.line() ? c.column() - 1 : 0;
            int to = ln == c.lastLine() ? Math.min(l.length(), c.lastColumn() - 1) : l.length();
            sb.append(l, Math.min(from, to), to);
            if (ln < c.lastLine()) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * The SHA-256 of a step's source without its {@code requires} blocks (whole lines when they stand on their own): a
     * precondition says when the step may run, not what it does, so adding or editing one leaves an applied step applied.
     */
    String checksum(Call c) {
        List<Call> inner = calls.stream().filter(r -> r.keyword() == Grammar.Keyword.REQUIRES && inside(r, c)).toList();
        if (inner.isEmpty()) {
            return Sha256.ofText(text(c));
        }
        List<String> out = new ArrayList<>();
        for (int ln = c.line(); ln <= c.lastLine(); ln++) {
            String l = lines[ln - 1];
            int from = ln == c.line() ? c.column() - 1 : 0;
            int to = ln == c.lastLine() ? Math.min(l.length(), c.lastColumn() - 1) : l.length();
            StringBuilder kept = new StringBuilder();
            boolean cut = false;
            for (int col = Math.min(from, to); col < to; col++) {
                int pos = col + 1;
                int line = ln;
                if (inner.stream().anyMatch(r -> covers(r, line, pos))) {
                    cut = true;
                } else {
                    kept.append(l.charAt(col));
                }
            }
            String k = kept.toString();
            if (cut && k.replace(";", "").isBlank()) {
                continue; // the line held only the requires block
            }
            out.add(k);
        }
        return Sha256.ofText(String.join("\n", out));
    }

    private static boolean inside(Call inner, Call outer) {
        return covers(outer, inner.line(), inner.column()) && !(inner.line() == outer.line() && inner.column() == outer.column());
    }

    /** Whether the 1-based (line, column) lies in the call's span (end column exclusive). */
    private static boolean covers(Call c, int line, int column) {
        if (line < c.line() || line > c.lastLine()) {
            return false;
        }
        if (line == c.line() && column < c.column()) {
            return false;
        }
        return line != c.lastLine() || column < c.lastColumn();
    }

    String display() {
        return display;
    }

    private static String firstLine(String s) {
        return s == null ? "syntax error" : s.lines().findFirst().orElse(s).strip().replaceFirst("\\.$", "");
    }
}
