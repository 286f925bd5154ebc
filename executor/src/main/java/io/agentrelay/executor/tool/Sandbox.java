package io.agentrelay.executor.tool;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import io.agentrelay.executor.spi.ToolException;

/**
 * Confines file names to the sandbox directory: relative names only, no {@code ..}, nothing outside, not even through
 * a symbolic link inside the sandbox (whether it was there before or appeared since).
 */
final class Sandbox {

    private Sandbox() {
    }

    /**
     * Checks a file name on its own, before anything on disk is looked at.
     *
     * @param sandbox  the sandbox directory
     * @param filename the client's file name
     * @return where the name points, without looking at links
     * @throws ToolException when the name is empty, absolute, has {@code ..} or leaves the sandbox
     */
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
     * The real path of an existing file to read, its links followed, when that is still inside the sandbox.
     *
     * @param sandbox  the sandbox directory
     * @param filename the client's file name
     * @return the file's real path
     * @throws ToolException         when the name is refused or a link leads out of the sandbox
     * @throws java.nio.file.NoSuchFileException when the file (or the sandbox) does not exist
     * @throws IOException           when the path cannot be resolved
     */
    static Path forReading(Path sandbox, String filename) throws ToolException, IOException {
        Path real = resolve(sandbox, filename).toRealPath();
        if (!real.startsWith(sandbox.toRealPath())) {
            throw new ToolException("'" + filename + "' leads out of the sandbox through a link");
        }
        return real;
    }

    /**
     * Where to write a file, once its directories exist inside the sandbox. Walks the name from the sandbox down:
     * each directory that exists is checked (links followed) to be inside before anything below it is created, and
     * the missing ones are created one by one, never through a link. The file itself must not be a link; open it
     * with {@link LinkOption#NOFOLLOW_LINKS}, so that a link put in its place meanwhile is refused, not followed.
     *
     * @param sandbox  the sandbox directory, created if missing
     * @param filename the client's file name
     * @return the file's path under the real path of its directory
     * @throws ToolException when the name is refused, a link leads out of the sandbox, or the file is a link
     * @throws IOException   when a directory cannot be created
     */
    static Path forWriting(Path sandbox, String filename) throws ToolException, IOException {
        Path name = sandbox.toAbsolutePath().normalize().relativize(resolve(sandbox, filename));
        Files.createDirectories(sandbox);
        Path root = sandbox.toRealPath();
        Path directory = root;
        for (int i = 0; i < name.getNameCount() - 1; i++) {
            Path next = directory.resolve(name.getName(i));
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createDirectory(next);
                    directory = next;
                    continue;
                } catch (FileAlreadyExistsException meanwhile) {
                    // Another node made it first: checked below like any directory that was there.
                }
            }
            directory = next.toRealPath();
            if (!directory.startsWith(root)) {
                throw new ToolException("'" + filename + "' leads out of the sandbox through a link");
            }
        }
        Path file = directory.resolve(name.getFileName());
        if (Files.isSymbolicLink(file)) {
            throw new ToolException("'" + filename + "' is a link; write_file does not write through links");
        }
        return file;
    }
}
