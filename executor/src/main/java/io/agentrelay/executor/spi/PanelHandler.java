package io.agentrelay.executor.spi;

/**
 * Carries out a panel tool: reads the panel's state and the call's arguments, and says how the state changes, which
 * events it emits and what it returns. It never changes the state itself: the executor applies the mutations, all or
 * none, and publishes them.
 *
 * <p>Handlers beyond the built-in ones ({@code set}, {@code add}, {@code append}, {@code delete}, {@code emit}) are
 * found with {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/io.agentrelay.executor.spi.PanelHandler}. A panel's definition names its tools' handlers.
 * Handlers run on the executor's command thread, one call at a time per executor: they must be quick, and pure but
 * for their outcome. Long work belongs in a workflow.
 */
public interface PanelHandler {

    /** The name that panel definitions use in a tool's {@code handler} field. */
    String name();

    /**
     * @param call the panel, its state, the tool's fixed params and the caller's args
     * @return the mutations, events and return value
     * @throws ToolException when the call cannot be carried out; the caller gets {@code EXECUTION_ERROR} with its
     *                       message and the state is unchanged
     */
    PanelOutcome handle(PanelCall call) throws ToolException;
}
