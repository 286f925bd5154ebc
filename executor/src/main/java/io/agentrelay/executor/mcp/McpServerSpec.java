package io.agentrelay.executor.mcp;

import java.net.URI;
import java.util.List;
import java.util.Map;

import io.agentrelay.runtime.config.ConfigException;

/** How to reach one MCP server: a process the executor starts, or a streamable HTTP endpoint. */
public sealed interface McpServerSpec {

    /**
     * A server the executor starts and talks to over its standard input and output; restarted when it exits.
     *
     * @param command the program
     * @param args    its arguments
     * @param env     variables added to the executor's environment for it
     */
    record Stdio(String command, List<String> args, Map<String, String> env) implements McpServerSpec {
        public Stdio {
            args = List.copyOf(args);
            env = Map.copyOf(env);
        }

        /** Names the variables, not their values, which may be secrets. */
        @Override
        public String toString() {
            return "Stdio[command=" + command + ", args=" + args + ", env=" + env.keySet() + "]";
        }
    }

    /**
     * A server the executor connects to over streamable HTTP.
     *
     * @param url     its MCP endpoint, such as {@code http://127.0.0.1:3001/mcp}
     * @param headers sent with every request (an {@code Authorization} header, for example)
     */
    record Http(URI url, Map<String, String> headers) implements McpServerSpec {
        public Http {
            if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                throw new ConfigException(McpConfig.ENV + ": 'url' must be an http or https URL, but was " + url);
            }
            headers = Map.copyOf(headers);
        }

        /** Names the headers, not their values, which may be secrets. */
        @Override
        public String toString() {
            return "Http[url=" + url + ", headers=" + headers.keySet() + "]";
        }
    }
}
