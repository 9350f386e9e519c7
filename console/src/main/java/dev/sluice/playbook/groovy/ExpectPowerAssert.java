package dev.sluice.playbook.groovy;

import java.util.List;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.expr.BooleanExpression;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.DeclarationExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.stmt.AssertStatement;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.ReturnStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * Makes a failed {@code expect('name') { a == b }} show the values it compared, as Groovy's power assert does: before
 * the script is compiled, the condition an expectation's closure ends with becomes {@code assert <condition>} followed
 * by {@code return true}. Groovy's own compiler then records every sub-expression's value and, when the condition is
 * false (Groovy truth, as before), throws a {@code PowerAssertionError} whose message is the condition with the values
 * drawn under it; {@code Sluice.expect} turns that into the expectation's detail. Only the final expression (or
 * {@code return expression}) is rewritten: a closure that returns false from elsewhere still fails, with no values
 * shown. The step's checksum is taken from the source text, so it does not change.
 */
final class ExpectPowerAssert extends CompilationCustomizer {
    ExpectPowerAssert() {
        super(CompilePhase.CONVERSION);
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        CodeVisitorSupport v = new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                super.visitMethodCallExpression(call);
                if (call.isImplicitThis() && "expect".equals(call.getMethodAsString()) && call.getArguments() instanceof TupleExpression args
                        && !args.getExpressions().isEmpty()
                        && args.getExpression(args.getExpressions().size() - 1) instanceof ClosureExpression check) {
                    assertLast(check);
                }
            }
        };
        for (MethodNode m : classNode.getMethods()) {
            if (m.getCode() != null) {
                m.getCode().visit(v);
            }
        }
    }

    private static void assertLast(ClosureExpression check) {
        if (!(check.getCode() instanceof BlockStatement block) || block.getStatements().isEmpty()) {
            return;
        }
        List<Statement> statements = block.getStatements();
        Statement last = statements.get(statements.size() - 1);
        Expression condition;
        if (last instanceof ExpressionStatement es && !(es.getExpression() instanceof DeclarationExpression)) {
            condition = es.getExpression();
        } else if (last instanceof ReturnStatement rs && !rs.isReturningNullOrVoid()) {
            condition = rs.getExpression();
        } else {
            return;
        }
        if (condition.getLineNumber() < 1) {
            return; // no source position, so no text to draw the values under: leave it as it is
        }
        BooleanExpression truth = new BooleanExpression(condition);
        truth.setSourcePosition(condition);
        AssertStatement asserted = new AssertStatement(truth);
        asserted.setSourcePosition(condition); // the diagram shows the condition's own text
        ReturnStatement holds = new ReturnStatement(ConstantExpression.PRIM_TRUE);
        holds.setSourcePosition(last);
        statements.set(statements.size() - 1, asserted);
        statements.add(holds);
    }
}
