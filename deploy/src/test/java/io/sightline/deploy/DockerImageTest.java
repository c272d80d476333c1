package io.sightline.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The image cannot be built here (no Docker engine): check what it is made of instead. */
class DockerImageTest {

    private static final Path DOCKER = Manifests.REPO.resolve("deploy/docker");

    @Test
    void shouldBuildOnPinnedBasesAndRunAsANonRootUserWithAHealthcheck() throws Exception {
        List<String> lines = Files.readAllLines(DOCKER.resolve("Dockerfile"));

        List<String> bases = lines.stream()
                .filter(l -> l.startsWith("FROM "))
                .map(l -> l.split("\\s+")[1])
                .toList();
        assertThat(bases).isNotEmpty().allSatisfy(b -> assertThat(b).matches("[a-z0-9./_-]+:[0-9][A-Za-z0-9._-]*"));
        assertThat(bases.get(bases.size() - 1)).as("runtime base is a JRE").contains("jre");
        assertThat(lines).anyMatch(l -> l.matches("USER [1-9][0-9]*:[1-9][0-9]*"));
        assertThat(lines).anyMatch(l -> l.startsWith("HEALTHCHECK ") && l.contains("/opt/sightline/bin/healthcheck"));
        assertThat(lines).anyMatch(l -> l.contains("-XX:MaxRAMPercentage="));
        assertThat(lines).anyMatch(l -> l.startsWith("ENTRYPOINT [\"/opt/sightline/bin/sightline\"]"));
    }

    @Test
    void shouldLaunchTheJarThatTheBuildProduces() throws Exception {
        String pom = Files.readString(Manifests.REPO.resolve("deploy/pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        String jar = finalName.group(1) + ".jar";

        assertThat(Files.readString(DOCKER.resolve("Dockerfile")))
                .contains("/src/deploy/target/" + jar, "/src/deploy/target/lib/");
        assertThat(Files.readString(DOCKER.resolve("bin/sightline"))).contains("-jar /opt/sightline/" + jar);
        assertThat(Files.isExecutable(DOCKER.resolve("bin/sightline"))).isTrue();
        assertThat(Files.isExecutable(DOCKER.resolve("bin/healthcheck"))).isTrue();
    }

    @Test
    void shouldHealthCheckEachServiceOnItsDefaultPort() throws Exception {
        String script = Files.readString(DOCKER.resolve("bin/healthcheck"));

        assertThat(script).contains("/health/ready");
        for (String service : ServiceCatalog.HTTP_SERVICES) {
            assertThat(script)
                    .as("%s default port", service)
                    .containsPattern(
                            Pattern.quote(service) + "\\)\\s+port=" + ServiceCatalog.defaultPort(service) + " ;;");
        }
    }

    @Test
    void shouldLaunchEveryServiceByName() {
        assertThat(Launcher.SERVICES.keySet()).containsAll(ServiceCatalog.DEFINITIONS.keySet());
    }
}
