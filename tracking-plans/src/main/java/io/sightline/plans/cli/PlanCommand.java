package io.sightline.plans.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sightline.plans.PlanDraft;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sightline plan draft --source web > web-plan.json}: a tracking plan drafted from what a source sent. */
@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = "Work with tracking plans.",
        subcommands = PlanCommand.Draft.class)
public final class PlanCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }

    @Command(
            name = "draft",
            mixinStandardHelpOptions = true,
            description =
                    "Print a tracking plan drafted from the observed event catalog of one source (GET /v1/catalog/events).")
    static final class Draft implements Callable<Integer> {

        // Output through picocli's writers, so a caller (or a test) chooses where it goes.
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--source", required = true, description = "The source (the name its write key maps to).")
        String source;

        @Option(
                names = "--api",
                defaultValue = "${env:SIGHTLINE_API_URL:-http://localhost:8081}",
                description = "The serving API's base URL (default: ${DEFAULT-VALUE}, or SIGHTLINE_API_URL).")
        String api;

        @Option(
                names = "--token",
                defaultValue = "${env:SIGHTLINE_READ_TOKEN}",
                description = "A read token, when the API requires one (or SIGHTLINE_READ_TOKEN).")
        String token;

        @Override
        public Integer call() throws Exception {
            ObjectMapper json = new ObjectMapper();
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api.replaceAll("/+$", "")
                            + "/v1/catalog/events?source=" + URLEncoder.encode(source, StandardCharsets.UTF_8)))
                    .timeout(Duration.ofSeconds(30));
            if (token != null && !token.isBlank()) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> answer =
                    HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                spec.commandLine()
                        .getErr()
                        .println("GET /v1/catalog/events answered " + answer.statusCode() + ": " + answer.body());
                return 1;
            }
            JsonNode catalog = json.readTree(answer.body());
            if (!catalog.path("events").elements().hasNext()) {
                spec.commandLine()
                        .getErr()
                        .println("No events of source '" + source
                                + "' in the catalog yet; send some, then draft again.");
                return 1;
            }
            spec.commandLine()
                    .getOut()
                    .println(json.writerWithDefaultPrettyPrinter().writeValueAsString(PlanDraft.of(catalog, source)));
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PlanCommand()).execute(args));
    }
}
