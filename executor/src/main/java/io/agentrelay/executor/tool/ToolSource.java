package io.agentrelay.executor.tool;

import java.util.List;
import java.util.Optional;

import io.agentrelay.executor.spi.Tool;
import io.micrometer.core.instrument.MeterRegistry;

/** Tools that come and go while the executor runs: those of the MCP servers it is a client of. */
public interface ToolSource {

    /**
     * @param name a tool name from a workflow node
     * @return the tool, if this source has one of that name
     */
    Optional<Tool> find(String name);

    /** The tools it offers now. */
    List<Tool> tools();

    /**
     * Puts the source's metrics in the executor's registry.
     *
     * @param registry the executor's meters
     */
    void bindMetrics(MeterRegistry registry);
}
