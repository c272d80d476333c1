package io.sightline.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Whether a service answers: for readiness waits and probes that must not throw while it starts or restarts. */
public final class HttpChecks {

    private HttpChecks() {}

    /** Whether {@code uri} answers 200 within {@code timeout}; false when nothing listens there (yet). */
    public static boolean answersOk(HttpClient http, URI uri, Duration timeout) {
        try {
            return http.send(
                                    HttpRequest.newBuilder(uri).timeout(timeout).build(),
                                    HttpResponse.BodyHandlers.discarding())
                            .statusCode()
                    == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
