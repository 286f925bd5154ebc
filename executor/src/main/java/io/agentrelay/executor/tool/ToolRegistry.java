package io.agentrelay.executor.tool;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.agentrelay.executor.spi.Tool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The tools that workflow nodes may call: the built-ins plus those found through {@link ServiceLoader}. */
public final class ToolRegistry {

    private static final Logger LOG = LoggerFactory.getLogger(ToolRegistry.class);

    private final Map<String, Tool> tools;

    private ToolRegistry(Map<String, Tool> tools) {
        this.tools = Collections.unmodifiableMap(tools);
    }

    /**
     * The built-in tools ({@code echo}, {@code sleep}, {@code write_file}, {@code read_file}, {@code fail}) and every
     * {@link Tool} on the class path. A plugged-in tool cannot replace a built-in one.
     *
     * @return the registry
     */
    public static ToolRegistry withPlugins() {
        Map<String, Tool> tools = builtIns();
        for (Tool tool : ServiceLoader.load(Tool.class)) {
            if (tools.putIfAbsent(tool.name(), tool) != null) {
                LOG.warn("Ignoring tool {} from {}: the name is taken", tool.name(), tool.getClass().getName());
            } else {
                LOG.info("Loaded tool {} from {}", tool.name(), tool.getClass().getName());
            }
        }
        return new ToolRegistry(tools);
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
        return new ToolRegistry(tools);
    }

    /**
     * @param name a tool name from a workflow node
     * @return the tool, if there is one of that name
     */
    public Optional<Tool> find(String name) {
        return Optional.ofNullable(tools.get(name));
    }

    /** The names of every tool, sorted. */
    public List<String> names() {
        return List.copyOf(tools.keySet());
    }

    private static Map<String, Tool> builtIns() {
        Map<String, Tool> tools = new TreeMap<>();
        for (Tool tool : List.of(new EchoTool(), new SleepTool(), new WriteFileTool(), new ReadFileTool(), new FailTool())) {
            tools.put(tool.name(), tool);
        }
        return tools;
    }
}
