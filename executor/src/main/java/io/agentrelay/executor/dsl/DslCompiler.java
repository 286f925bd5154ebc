package io.agentrelay.executor.dsl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.tool.ToolRegistry;

/**
 * Compiles the DSL into a workflow whose steps run one after the other.
 *
 * <pre>
 * CALL write_file notes.txt 'hello world'
 * CALL read_file filename=notes.txt; CALL sleep 100
 * </pre>
 *
 * <p>One command per line, or several separated by {@code ;}. Arguments are separated by spaces; single or double
 * quotes keep spaces, and a backslash escapes the next character. {@code key=value} names a parameter; other
 * arguments fill the tool's positional parameters in order. An unquoted whole number is a number; anything quoted
 * is text. Thread-safe.
 */
public final class DslCompiler {

    private static final Pattern WHOLE_NUMBER = Pattern.compile("-?\\d{1,18}");

    private final ToolRegistry tools;

    /**
     * @param tools the tools that commands may call
     */
    public DslCompiler(ToolRegistry tools) {
        this.tools = tools;
    }

    /**
     * @param workflowId the workflow's id
     * @param text       the DSL text
     * @return a workflow of one node per command, each after the one before
     * @throws DslException naming the command and what is wrong with it
     */
    public ExecuteWorkflow compile(String workflowId, String text) throws DslException {
        List<List<Token>> statements = DslTokenizer.statements(text);
        if (statements.isEmpty()) {
            throw new DslException("no command: write CALL <tool> <arguments…>");
        }
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            String nodeId = "step-" + (i + 1);
            nodes.add(node(nodeId, i + 1, statements.get(i)));
            if (i > 0) {
                edges.add(new Edge("step-" + i, nodeId));
            }
        }
        return new ExecuteWorkflow(workflowId, nodes, edges, "dsl", text);
    }

    private Node node(String nodeId, int number, List<Token> statement) throws DslException {
        if (!statement.get(0).text().toUpperCase(Locale.ROOT).equals("CALL") || statement.get(0).quoted()) {
            throw new DslException("command " + number + " must start with CALL, not '" + statement.get(0).text() + "'");
        }
        if (statement.size() < 2) {
            throw new DslException("command " + number + ": CALL needs a tool name");
        }
        String toolName = statement.get(1).text();
        Tool tool = tools.find(toolName).orElseThrow(() -> new DslException(
            "command " + number + ": unknown tool '" + toolName + "'; known tools: " + tools.names()));
        List<String> positional = tool.positionalParameters();
        ObjectNode params = Json.object();
        int next = 0;
        for (Token argument : statement.subList(2, statement.size())) {
            int equals = argument.quoted() ? -1 : argument.text().indexOf('=');
            if (equals > 0) {
                put(params, argument.text().substring(0, equals), new Token(argument.text().substring(equals + 1),
                    argument.valueQuoted()));
            } else if (next < positional.size()) {
                put(params, positional.get(next++), argument);
            } else {
                throw new DslException("command " + number + ": " + toolName + " takes " + positional.size()
                    + " positional argument(s) " + positional + ", but got more ('" + argument.text() + "')");
            }
        }
        return new Node(nodeId, toolName, params);
    }

    private static void put(ObjectNode params, String name, Token value) {
        if (!value.quoted() && WHOLE_NUMBER.matcher(value.text()).matches()) {
            params.put(name, Long.parseLong(value.text()));
        } else {
            params.put(name, value.text());
        }
    }
}
