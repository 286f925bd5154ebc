package io.agentrelay.executor.tool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.agentrelay.executor.spi.Tool;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tools that workflow nodes may call: the built-ins, those found through {@link ServiceLoader}, and those of a
 * {@link ToolSource} (the MCP servers' tools, named {@code <server>/<tool>}).
 */
public final class ToolRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ToolRegistry.class);

    private final Map<String, Tool> tools;
    private final ToolSource more;

    private ToolRegistry(Map<String, Tool> tools, ToolSource more) {
        this.tools = Collections.unmodifiableMap(tools);
        this.more = more;
    }

    /**
     * The built-in tools ({@code echo}, {@code sleep}, {@code write_file}, {@code read_file}, {@code fail}) and every
     * {@link Tool} on the class path. A plugged-in tool cannot replace a built-in one.
     *
     * @return the registry
     */
    public static ToolRegistry withPlugins() {
        return withPlugins(null);
    }

    /**
     * The built-in tools, every {@link Tool} on the class path, and the tools of a source, which cannot replace
     * either.
     *
     * @param more the MCP servers' tools, or null
     * @return the registry
     */
    public static ToolRegistry withPlugins(ToolSource more) {
        Map<String, Tool> tools = builtIns();
        for (Tool tool : ServiceLoader.load(Tool.class)) {
            if (tools.putIfAbsent(tool.name(), tool) != null) {
                LOG.warn("Ignoring tool {} from {}: the name is taken", tool.name(), tool.getClass().getName());
            } else {
                LOG.info("Loaded tool {} from {}", tool.name(), tool.getClass().getName());
            }
        }
        return new ToolRegistry(tools, more);
    }

    /**
     * The built-in tools and the given ones.
     *
     * @param extra more tools
     * @return the registry
     */
    public static ToolRegistry of(List<Tool> extra) {
        Map<String, Tool> tools = builtIns();
        extra.forEach(tool -> tools.put(tool.name(), tool));
        return new ToolRegistry(tools, null);
    }

    /**
     * @param name a tool name from a workflow node
     * @return the tool, if there is one of that name
     */
    public Optional<Tool> find(String name) {
        Tool tool = tools.get(name);
        return tool != null || more == null ? Optional.ofNullable(tool) : more.find(name);
    }

    /** Every tool offered now, the built-in and plugged-in ones first, each group sorted by name. */
    public List<Tool> all() {
        List<Tool> all = new ArrayList<>(tools.values());
        if (more != null) {
            more.tools().stream().filter(tool -> !tools.containsKey(tool.name()))
                .sorted(Comparator.comparing(Tool::name)).forEach(all::add);
        }
        return all;
    }

    /** The names of every tool offered now. */
    public List<String> names() {
        return all().stream().map(Tool::name).toList();
    }

    /**
     * Puts the metrics of the tools' source, if any, in the executor's registry.
     *
     * @param registry the executor's meters
     */
    public void bindMetrics(MeterRegistry registry) {
        if (more != null) {
            more.bindMetrics(registry);
        }
    }

    private static Map<String, Tool> builtIns() {
        Map<String, Tool> tools = new TreeMap<>();
        for (Tool tool : List.of(new EchoTool(), new SleepTool(), new WriteFileTool(), new ReadFileTool(), new FailTool())) {
            tools.put(tool.name(), tool);
        }
        return tools;
    }
}
