package dev.sluice.playbook.groovy;

import java.util.List;
import java.util.Optional;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.expr.ArgumentListExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.ListExpression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.EmptyStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.ForStatement;
import org.codehaus.groovy.ast.stmt.IfStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * For {@code --list}, {@code --dry-run} and completion: compiles a playbook so that its top level does only what declares
 * the playbook. Kept: the {@code playbook} call and, inside its block, {@code description}, {@code tiers}, {@code param}
 * and {@code step} calls (also inside {@code if}/{@code for} around them), {@code @Field} definitions, and definitions whose
 * value is a literal, a closure or a constructor call with such arguments. Every other statement outside the steps (a call, an assignment from a call, a print) is dropped from the
 * compiled script, so it cannot have a side effect. Methods, fields and step bodies are untouched.
 */
final class DeclarationsOnly extends CompilationCustomizer {
    private boolean done;

    DeclarationsOnly() {
        super(CompilePhase.CONVERSION);
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        if (done) {
            return;
        }
        done = true;
        filter(source.getAST().getStatementBlock(), Grammar.Block.FILE);
    }

    private static void filter(BlockStatement block, Grammar.Block in) {
        List<Statement> statements = block.getStatements();
        statements.removeIf(s -> !keep(s, in));
    }

    private static boolean keep(Statement s, Grammar.Block in) {
        if (s instanceof BlockStatement b) {
            filter(b, in);
            return true;
        }
        if (s instanceof IfStatement i) {
            i.setIfBlock(body(i.getIfBlock(), in));
            i.setElseBlock(body(i.getElseBlock(), in));
            return true;
        }
        if (s instanceof ForStatement f) {
            f.setLoopBlock(body(f.getLoopBlock(), in));
            return true;
        }
        if (!(s instanceof ExpressionStatement es)) {
            return false; // while, try, switch, return, throw… outside the steps: not a declaration
        }
        Expression e = es.getExpression();
        if (e instanceof DeclarationExpression d) {
            // An annotated one (@Field) becomes a field of the script, a definition the steps may use: kept as written.
            return !d.getAnnotations().isEmpty() || pure(d.getRightExpression());
        }
        Optional<Grammar.Keyword> k = e instanceof MethodCallExpression call && call.isImplicitThis()
                ? Grammar.Keyword.of(call.getMethodAsString()) : Optional.empty();
        if (k.isEmpty() || !k.get().parents().contains(in)) { // requires may be at the top, in the playbook or in a step
            return declares(e); // e.g. ['a', 'b'].each { step "copy $it", { … } }: kept whole, it declares steps
        }
        if (k.get() == Grammar.Keyword.PLAYBOOK) {
            for (Expression a : args(((MethodCallExpression) e).getArguments())) {
                if (a instanceof ClosureExpression c && c.getCode() instanceof BlockStatement body) {
                    filter(body, Grammar.Block.PLAYBOOK);
                }
            }
        }
        return true;
    }

    /** An if/for body, filtered: a block keeps its declarations, a single statement stays only if it is one. */
    private static Statement body(Statement body, Grammar.Block in) {
        if (body == null || keep(body, in)) {
            return body;
        }
        return EmptyStatement.INSTANCE;
    }

    /** True when {@code e} calls a declaration keyword somewhere inside (a loop over names that declares steps). */
    private static boolean declares(Expression e) {
        boolean[] found = {false};
        e.visit(new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                Optional<Grammar.Keyword> k = call.isImplicitThis() ? Grammar.Keyword.of(call.getMethodAsString()) : Optional.empty();
                if (k.isPresent() && k.get().parent() == Grammar.Block.PLAYBOOK) {
                    found[0] = true;
                }
                super.visitMethodCallExpression(call);
            }
        });
        return found[0];
    }

    private static List<Expression> args(Expression args) {
        if (args instanceof ArgumentListExpression a) {
            return a.getExpressions();
        }
        if (args instanceof TupleExpression t) {
            return t.getExpressions();
        }
        return List.of(args);
    }

    /** A value that runs nothing when evaluated: a constant, a closure (not called), or a list or map of such. */
    private static boolean pure(Expression e) {
        if (e instanceof ConstantExpression || e instanceof ClosureExpression) {
            return true;
        }
        if (e instanceof ListExpression l) {
            return l.getExpressions().stream().allMatch(DeclarationsOnly::pure);
        }
        if (e instanceof MapExpression m) {
            return m.getMapEntryExpressions().stream().allMatch(x -> pure(x.getKeyExpression()) && pure(x.getValueExpression()));
        }
        if (e instanceof MapEntryExpression me) {
            return pure(me.getKeyExpression()) && pure(me.getValueExpression());
        }
        if (e instanceof org.codehaus.groovy.ast.expr.ConstructorCallExpression c) {
            // A helper object for the steps (new ObjectMapper(), new LinkedHashMap()): built, not acted on. Its arguments
            // must be pure too, so new File(x).delete() (a call on it) and new Foo(bar()) are still dropped.
            return args(c.getArguments()).stream().allMatch(DeclarationsOnly::pure);
        }
        return false;
    }
}
