package io.agentrelay.executor.mcp;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.agentrelay.runtime.config.ConfigException;

/** How to reach one MCP server: a process the executor starts, or a streamable HTTP endpoint. */
public sealed interface McpServerSpec {

    /**
     * @return names of the server's tools to treat as idempotent although the server does not say
     *         {@code idempotentHint}: a new owner runs them again after a take-over
     */
    Set<String> idempotentTools();

    /**
     * A server the executor starts and talks to over its standard input and output; restarted when it exits.
     *
     * @param command         the program
     * @param args            its arguments
     * @param env             variables added to the executor's environment for it
     * @param idempotentTools tools to treat as idempotent
     */
    record Stdio(String command, List<String> args, Map<String, String> env, Set<String> idempotentTools)
        implements McpServerSpec {
        public Stdio {
            args = List.copyOf(args);
            env = Map.copyOf(env);
            idempotentTools = Set.copyOf(idempotentTools);
        }

        /** Counts the arguments and names the variables, without their values, which may be secrets. */
        @Override
        public String toString() {
            return "Stdio[command=" + command + ", args=" + args.size() + " arguments, env=" + env.keySet()
                + ", idempotentTools=" + idempotentTools + "]";
        }
    }

    /**
     * A server the executor connects to over streamable HTTP.
     *
     * @param url             its MCP endpoint, such as {@code http://127.0.0.1:3001/mcp}
     * @param headers         sent with every request (an {@code Authorization} header, for example)
     * @param idempotentTools tools to treat as idempotent
     */
    record Http(URI url, Map<String, String> headers, Set<String> idempotentTools) implements McpServerSpec {
        public Http {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new ConfigException(McpConfig.ENV + ": 'url' must be an http or https URL, but was " + url);
            }
            headers = Map.copyOf(headers);
            idempotentTools = Set.copyOf(idempotentTools);
        }

        /** Names the headers, not their values, which may be secrets. */
        @Override
        public String toString() {
            return "Http[url=" + url + ", headers=" + headers.keySet() + ", idempotentTools=" + idempotentTools + "]";
        }
    }
}
