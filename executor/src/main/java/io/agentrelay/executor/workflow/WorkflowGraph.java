package io.agentrelay.executor.workflow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;
import io.agentrelay.executor.tool.ToolRegistry;

/**
 * A workflow checked and ready to run: a directed acyclic graph of nodes with known tools and valid parameters, in
 * topological order.
 */
final class WorkflowGraph {

    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final ExecuteWorkflow workflow;
    private final List<Node> order;
    private final Map<String, List<String>> predecessors;
    private final Map<String, Tool> tools;

    private WorkflowGraph(ExecuteWorkflow workflow, List<Node> order, Map<String, List<String>> predecessors,
                          Map<String, Tool> tools) {
        this.workflow = workflow;
        this.order = order;
        this.predecessors = predecessors;
        this.tools = tools;
    }

    /**
     * Checks a workflow and orders its nodes.
     *
     * @param workflow the workflow as the client sent it
     * @param registry the tools that nodes may call
     * @param maxNodes the most nodes allowed
     * @param context  settings that tools check parameters against (the sandbox, the longest sleep)
     * @return the graph
     * @throws InvalidWorkflowException naming the first problem found
     */
    static WorkflowGraph of(ExecuteWorkflow workflow, ToolRegistry registry, int maxNodes, ToolContext context)
        throws InvalidWorkflowException {
        return build(workflow, registry, maxNodes, context);
    }

    /**
     * The graph of a workflow taken over from another executor, which checked it when it started. Its tools are only
     * looked up by name: params are not checked again, and a tool that this executor lacks, or whose MCP server it has
     * not reached yet, fails its node when it runs, so that the workflow still ends.
     *
     * @throws InvalidWorkflowException when the workflow itself is malformed, which a checked one is not
     */
    static WorkflowGraph takenOver(ExecuteWorkflow workflow, ToolRegistry registry) throws InvalidWorkflowException {
        return build(workflow, registry, Integer.MAX_VALUE, null);
    }

    /** With a null context, nothing about the tools is checked. */
    private static WorkflowGraph build(ExecuteWorkflow workflow, ToolRegistry registry, int maxNodes,
                                       ToolContext context) throws InvalidWorkflowException {
        List<Node> nodes = workflow.nodes();
        if (nodes.isEmpty()) {
            throw new InvalidWorkflowException("workflow has no nodes");
        }
        if (nodes.size() > maxNodes) {
            throw new InvalidWorkflowException("workflow has " + nodes.size() + " nodes; at most " + maxNodes
                + " are allowed");
        }
        Map<String, Node> byId = new LinkedHashMap<>();
        Map<String, Tool> tools = new HashMap<>();
        for (Node node : nodes) {
            checkNode(node, byId.size());
            if (byId.putIfAbsent(node.id(), node) != null) {
                throw new InvalidWorkflowException("node id '" + node.id() + "' is used twice");
            }
            if (context == null) {
                tools.put(node.id(), registry.find(node.tool()).orElseGet(() -> new Missing(node.tool())));
                continue;
            }
            Tool tool = registry.find(node.tool()).orElseThrow(() -> new InvalidWorkflowException(
                "node '" + node.id() + "' uses unknown tool '" + node.tool() + "'; known tools: " + registry.names()));
            try {
                tool.validate(node.params(), context);
            } catch (ToolException e) {
                throw new InvalidWorkflowException("node '" + node.id() + "' (" + node.tool() + "): " + e.getMessage());
            }
            tools.put(node.id(), tool);
        }

        Map<String, List<String>> predecessors = new HashMap<>();
        Map<String, List<String>> successors = new HashMap<>();
        byId.keySet().forEach(id -> {
            predecessors.put(id, new ArrayList<>());
            successors.put(id, new ArrayList<>());
        });
        for (Edge edge : workflow.edges()) {
            if (edge == null || edge.from() == null || edge.to() == null) {
                throw new InvalidWorkflowException("every edge needs 'from' and 'to'");
            }
            for (String end : List.of(edge.from(), edge.to())) {
                if (!byId.containsKey(end)) {
                    throw new InvalidWorkflowException("edge " + edge.from() + " -> " + edge.to()
                        + " names unknown node '" + end + "'");
                }
            }
            if (!predecessors.get(edge.to()).contains(edge.from())) {
                predecessors.get(edge.to()).add(edge.from());
                successors.get(edge.from()).add(edge.to());
            }
        }
        return new WorkflowGraph(workflow, topologicalOrder(byId, predecessors, successors),
            predecessors, tools);
    }

    /** The nodes, each after all of its predecessors. */
    List<Node> order() {
        return order;
    }

    /** The nodes that must complete before this one starts. */
    List<String> predecessors(String nodeId) {
        return predecessors.get(nodeId);
    }

    /** The tool of a node. */
    Tool tool(String nodeId) {
        return tools.get(nodeId);
    }

    String workflowId() {
        return workflow.workflowId();
    }

    /** The workflow as the client sent it. */
    ExecuteWorkflow workflow() {
        return workflow;
    }

    private static void checkNode(Node node, int index) throws InvalidWorkflowException {
        if (node == null) {
            throw new InvalidWorkflowException("node #" + (index + 1) + " is null");
        }
        if (node.id() == null || node.id().isEmpty()) {
            throw new InvalidWorkflowException("node #" + (index + 1) + " is missing field 'id'");
        }
        if (!NODE_ID.matcher(node.id()).matches()) {
            throw new InvalidWorkflowException("node id '" + node.id() + "' must be 1 to 128 of [A-Za-z0-9._-]");
        }
        if (node.tool() == null || node.tool().isEmpty()) {
            throw new InvalidWorkflowException("node '" + node.id() + "' is missing field 'tool'");
        }
        if (!node.params().isObject()) {
            throw new InvalidWorkflowException("node '" + node.id() + "' field 'params' must be an object");
        }
    }

    /** Kahn's algorithm; what is left over lies on a cycle. */
    private static List<Node> topologicalOrder(Map<String, Node> byId, Map<String, List<String>> predecessors,
                                               Map<String, List<String>> successors) throws InvalidWorkflowException {
        Map<String, Integer> waiting = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>();
        for (String id : byId.keySet()) {
            waiting.put(id, predecessors.get(id).size());
            if (predecessors.get(id).isEmpty()) {
                ready.add(id);
            }
        }
        List<Node> order = new ArrayList<>(byId.size());
        while (!ready.isEmpty()) {
            String id = ready.poll();
            order.add(byId.get(id));
            for (String next : successors.get(id)) {
                if (waiting.merge(next, -1, Integer::sum) == 0) {
                    ready.add(next);
                }
            }
        }
        if (order.size() < byId.size()) {
            List<String> onCycle = byId.keySet().stream().filter(id -> waiting.get(id) > 0).sorted().toList();
            throw new InvalidWorkflowException("workflow has a cycle through nodes " + onCycle);
        }
        return List.copyOf(order);
    }

    /** A tool that the executor which started the workflow had and this one lacks. */
    private record Missing(String name) implements Tool {
        @Override
        public JsonNode run(JsonNode params, ToolContext context) throws ToolException {
            throw new ToolException("tool '" + name + "' is not offered by this executor");
        }
    }
}
