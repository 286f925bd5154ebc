package io.agentrelay.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files under {@code deploy/}, checked as far as a parser can on a machine without Docker or a
 * cluster: the Compose file against the Compose specification's schema and each Kubernetes manifest against its
 * kind's schema ({@code deploy/validate}, from npm); every relay and executor setting they set is one the README
 * documents; every file the Dockerfiles copy exists once the build has packaged the jars.
 */
class DeploymentFilesIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final Pattern SETTING = Pattern.compile("\\b((?:RELAY|EXECUTOR)_[A-Z_]+)\\b");
    private static final Pattern COPY = Pattern.compile("(?m)^COPY\\s+(\\S+)\\s+\\S+\\s*$");

    @TempDir
    Path dir;

    @Test
    void composeFileAndManifestsShouldMatchTheirSchemas() throws Exception {
        Run run = validate();

        assertThat(run.exitCode).as(run.output).isZero();
        assertThat(run.output).contains("valid compose", "apps/v1 Deployment agent-relay-relay",
            "apps/v1 Deployment agent-relay-executor", "v1 Service agent-relay", "networking.k8s.io/v1 Ingress",
            "policy/v1 PodDisruptionBudget", "autoscaling/v2 HorizontalPodAutoscaler", "batch/v1 Job");
    }

    @Test
    void theValidatorShouldRefuseAManifestThatIsWrong() throws Exception {
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: broken\nspec:\n"
            + "  replicas: three\n");

        Run run = validate(broken.toString());

        assertThat(run.exitCode).isEqualTo(1);
        assertThat(run.output).contains("INVALID", "replicas must be integer", "required property selector");
    }

    @Test
    void everySettingTheDeploymentFilesUseShouldBeADocumentedOne() throws IOException {
        Set<String> documented = settings(Files.readString(ROOT.resolve("README.md")));
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && !f.toString().contains("node_modules"))
                .toList()) {
                used.addAll(settings(Files.readString(file)));
            }
        }

        assertThat(used).isNotEmpty();
        assertThat(documented).containsAll(used);
    }

    @Test
    void everyFileTheDockerfilesCopyShouldExistAfterTheBuild() throws IOException {
        for (String service : List.of("relay", "executor")) {
            String dockerfile = Files.readString(DEPLOY.resolve("docker").resolve(service).resolve("Dockerfile"));
            Matcher copy = COPY.matcher(dockerfile);
            int copies = 0;
            while (copy.find()) {
                copies++;
                assertThat(matching(copy.group(1))).as("%s's Dockerfile copies %s", service, copy.group(1))
                    .hasSize(1);
            }
            assertThat(copies).as("%s's Dockerfile copies its jar", service).isPositive();
            assertThat(dockerfile).contains("agent-relay-" + service + "-").contains("ENTRYPOINT");
        }
    }

    /** The files a COPY source names, a {@code *} in its file name matching as Docker's does. */
    private static List<Path> matching(String source) throws IOException {
        Path path = ROOT.resolve(source);
        if (!Files.isDirectory(path.getParent())) {
            return List.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(path.getParent(), path.getFileName().toString())) {
            List<Path> found = new ArrayList<>();
            files.forEach(found::add);
            return found;
        }
    }

    private static Set<String> settings(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = SETTING.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static Run validate(String... files) throws Exception {
        Path validator = DEPLOY.resolve("validate");
        assumeTrue(Files.isDirectory(validator.resolve("node_modules/kubernetes-models")),
            "deploy/validate has no node_modules (npm ci --prefix deploy/validate)");
        List<String> command = new java.util.ArrayList<>(List.of("node", "validate.mjs"));
        command.addAll(List.of(files));
        Process process = new ProcessBuilder(command).directory(validator.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the validator finishes").isTrue();
        return new Run(process.exitValue(), output);
    }

    private record Run(int exitCode, String output) {
    }
}
