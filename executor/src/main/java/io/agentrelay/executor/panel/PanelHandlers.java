package io.agentrelay.executor.panel;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

import io.agentrelay.executor.spi.PanelHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The panel handlers this executor has: the built-ins plus those found through {@link ServiceLoader}. */
public final class PanelHandlers {

    private static final Logger LOG = LoggerFactory.getLogger(PanelHandlers.class);

    private final Map<String, PanelHandler> handlers;

    private PanelHandlers(Map<String, PanelHandler> handlers) {
        this.handlers = Map.copyOf(handlers);
    }

    /** The built-in handlers and every {@link PanelHandler} on the class path; plugins cannot replace built-ins. */
    public static PanelHandlers withPlugins() {
        Map<String, PanelHandler> handlers = builtIns();
        for (PanelHandler handler : ServiceLoader.load(PanelHandler.class)) {
            if (handlers.putIfAbsent(handler.name(), handler) != null) {
                LOG.warn("Ignoring panel handler {} from {}: the name is taken", handler.name(),
                    handler.getClass().getName());
            }
        }
        return new PanelHandlers(handlers);
    }

    /**
     * @param extra handlers besides the built-ins
     * @return the registry
     */
    public static PanelHandlers of(List<PanelHandler> extra) {
        Map<String, PanelHandler> handlers = builtIns();
        extra.forEach(handler -> handlers.put(handler.name(), handler));
        return new PanelHandlers(handlers);
    }

    Optional<PanelHandler> find(String name) {
        return Optional.ofNullable(handlers.get(name));
    }

    private static Map<String, PanelHandler> builtIns() {
        Map<String, PanelHandler> handlers = new TreeMap<>();
        BuiltInHandlers.all().forEach(handler -> handlers.put(handler.name(), handler));
        return handlers;
    }
}
