package dev.sluice.playbook.groovy;

import java.util.ArrayList;
import java.util.List;
import org.codehaus.groovy.ast.ClassNode;
import org.codehaus.groovy.ast.CodeVisitorSupport;
import org.codehaus.groovy.ast.MethodNode;
import org.codehaus.groovy.ast.Parameter;
import org.codehaus.groovy.ast.VariableScope;
import org.codehaus.groovy.ast.expr.ClosureExpression;
import org.codehaus.groovy.ast.expr.ConstantExpression;
import org.codehaus.groovy.ast.expr.Expression;
import org.codehaus.groovy.ast.expr.MapEntryExpression;
import org.codehaus.groovy.ast.expr.MapExpression;
import org.codehaus.groovy.ast.expr.MethodCallExpression;
import org.codehaus.groovy.ast.expr.TupleExpression;
import org.codehaus.groovy.ast.stmt.BlockStatement;
import org.codehaus.groovy.ast.stmt.ExpressionStatement;
import org.codehaus.groovy.ast.stmt.Statement;
import org.codehaus.groovy.classgen.GeneratorContext;
import org.codehaus.groovy.control.CompilePhase;
import org.codehaus.groovy.control.SourceUnit;
import org.codehaus.groovy.control.customizers.CompilationCustomizer;

/**
 * Lets a run see a step's {@code requires { … }} blocks without running the step: before the script is compiled, each
 * {@code requires} statement written directly in a step body is moved out of the body into a hidden option of the
 * {@code step} call ({@link #OPTION}: a closure holding those statements), so loading the file collects the blocks while
 * the body stays unrun. Only top-level statements of the body move; one nested in an {@code if} or a loop stays and is
 * refused when the step runs.
 */
final class StepRequiresHoist extends CompilationCustomizer {
    /** The named argument the hoisted blocks travel in. */
    static final String OPTION = "$requires";

    StepRequiresHoist() {
        super(CompilePhase.CONVERSION);
    }

    @Override
    public void call(SourceUnit source, GeneratorContext context, ClassNode classNode) {
        CodeVisitorSupport v = new CodeVisitorSupport() {
            @Override
            public void visitMethodCallExpression(MethodCallExpression call) {
                if (call.isImplicitThis() && "step".equals(call.getMethodAsString()) && call.getArguments() instanceof TupleExpression args
                        && !args.getExpressions().isEmpty()
                        && args.getExpression(args.getExpressions().size() - 1) instanceof ClosureExpression body) {
                    hoist(args, body);
                }
                super.visitMethodCallExpression(call);
            }
        };
        for (MethodNode m : classNode.getMethods()) {
            if (m.getCode() != null) {
                m.getCode().visit(v);
            }
        }
    }

    private static void hoist(TupleExpression args, ClosureExpression body) {
        if (!(body.getCode() instanceof BlockStatement block)) {
            return;
        }
        List<Statement> moved = new ArrayList<>();
        for (Statement st : block.getStatements()) {
            if (st instanceof ExpressionStatement es && es.getExpression() instanceof MethodCallExpression mc && mc.isImplicitThis()
                    && "requires".equals(mc.getMethodAsString())) {
                moved.add(st);
            }
        }
        if (moved.isEmpty()) {
            return;
        }
        block.getStatements().removeAll(moved);
        BlockStatement holder = new BlockStatement(moved, new VariableScope());
        holder.setSourcePosition(moved.get(0));
        ClosureExpression wrapper = new ClosureExpression(Parameter.EMPTY_ARRAY, holder);
        wrapper.setSourcePosition(moved.get(0));
        MapEntryExpression entry = new MapEntryExpression(new ConstantExpression(OPTION), wrapper);
        Expression first = args.getExpression(0);
        if (first instanceof MapExpression named) {
            named.addMapEntryExpression(entry);
        } else {
            MapExpression named = new MapExpression();
            named.addMapEntryExpression(entry);
            args.getExpressions().add(0, named);
        }
    }
}
