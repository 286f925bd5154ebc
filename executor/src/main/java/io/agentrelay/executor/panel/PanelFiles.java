package io.agentrelay.executor.panel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.protocol.PanelDefinition;

/**
 * Reads panel definitions: one JSON file per panel in a directory, such as
 * <pre>{@code
 * {"id": "counter", "state": {"count": 0},
 *  "tools": {"increment": {"handler": "add", "params": {"path": "count"}}}}
 * }</pre>
 */
public final class PanelFiles {

    private PanelFiles() {
    }

    /**
     * @param directory the directory; every {@code *.json} file in it is a panel
     * @return the definitions, sorted by file name
     * @throws IllegalArgumentException naming the file when one cannot be read or is not a valid panel
     */
    public static List<PanelDefinition> load(Path directory) {
        List<Path> files;
        try (Stream<Path> listing = Files.list(directory)) {
            files = listing.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list panel definitions in " + directory + ": " + e, e);
        }
        List<PanelDefinition> panels = new ArrayList<>();
        for (Path file : files) {
            try {
                panels.add(Json.readerFor(PanelDefinition.class).readValue(file.toFile()));
            } catch (IOException | RelayException e) {
                throw new IllegalArgumentException("panel definition " + file + " is invalid: " + e.getMessage(), e);
            }
        }
        return panels;
    }
}
