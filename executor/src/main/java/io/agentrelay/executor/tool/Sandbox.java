package io.agentrelay.executor.tool;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

import io.agentrelay.executor.spi.ToolException;

/** Confines file names to the sandbox directory: relative names only, no {@code ..}, nothing outside. */
final class Sandbox {

    private Sandbox() {
    }

    static Path resolve(Path sandbox, String filename) throws ToolException {
        if (filename.isEmpty()) {
            throw new ToolException("filename must not be empty");
        }
        Path name;
        try {
            name = Path.of(filename);
        } catch (InvalidPathException e) {
            throw new ToolException("filename '" + filename + "' is not a valid path");
        }
        if (name.isAbsolute() || filename.startsWith("/") || filename.startsWith("\\")) {
            throw new ToolException("filename '" + filename + "' must be relative to the sandbox");
        }
        for (Path part : name) {
            if (part.toString().equals("..")) {
                throw new ToolException("filename '" + filename + "' must not contain '..'");
            }
        }
        Path root = sandbox.toAbsolutePath().normalize();
        Path resolved = root.resolve(name).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw new ToolException("filename '" + filename + "' leaves the sandbox");
        }
        return resolved;
    }

    /**
     * Checks, once the file or its parent exists, that no symbolic link inside the sandbox leads out of it.
     *
     * @param sandbox  the sandbox directory
     * @param existing a path inside the sandbox that exists
     */
    static void requireInside(Path sandbox, Path existing) throws ToolException {
        try {
            if (!existing.toRealPath().startsWith(sandbox.toRealPath())) {
                throw new ToolException("path leaves the sandbox through a link");
            }
        } catch (java.io.IOException e) {
            throw new ToolException("cannot resolve path: " + e.getMessage(), e);
        }
    }
}
