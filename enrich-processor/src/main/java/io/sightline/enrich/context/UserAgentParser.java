package io.sightline.enrich.context;

import java.util.Set;
import nl.basjes.parse.useragent.UserAgent;
import nl.basjes.parse.useragent.UserAgentAnalyzer;

/**
 * Device class, operating system, browser and a bot flag from a user-agent string,
 * through Yauaa. The analyzer is built once per JVM (it loads thousands of rules) and
 * keeps an LRU cache of parsed agents, because real traffic repeats a few agents a lot.
 */
public final class UserAgentParser {

    /** Yauaa device classes that are not a person using a browser or an app. */
    private static final Set<String> BOT_CLASSES = Set.of("Robot", "Robot Mobile", "Robot Imitator", "Spy", "Hacker");

    private static volatile UserAgentAnalyzer analyzer;

    public record Parsed(String deviceClass, String osName, String browserName, String browserVersion, boolean bot) {}

    private UserAgentParser() {}

    public static Parsed parse(String userAgent) {
        if (userAgent == null || userAgent.isBlank()) {
            return null;
        }
        UserAgent ua = analyzer().parse(userAgent);
        String deviceClass = known(ua.getValue(UserAgent.DEVICE_CLASS));
        return new Parsed(
                deviceClass,
                known(ua.getValue(UserAgent.OPERATING_SYSTEM_NAME)),
                known(ua.getValue(UserAgent.AGENT_NAME)),
                known(ua.getValue(UserAgent.AGENT_VERSION)),
                deviceClass != null && BOT_CLASSES.contains(deviceClass));
    }

    /** Builds the analyzer now if no one has yet (a service calls it before its stream threads start). */
    public static void load() {
        analyzer();
    }

    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("??") || "Unknown".equals(value) ? null : value;
    }

    private static UserAgentAnalyzer analyzer() {
        UserAgentAnalyzer a = analyzer;
        if (a == null) {
            synchronized (UserAgentParser.class) {
                a = analyzer;
                if (a == null) {
                    a = UserAgentAnalyzer.newBuilder()
                            .hideMatcherLoadStats()
                            .withCache(10_000)
                            .withField(UserAgent.DEVICE_CLASS)
                            .withField(UserAgent.OPERATING_SYSTEM_NAME)
                            .withField(UserAgent.AGENT_NAME)
                            .withField(UserAgent.AGENT_VERSION)
                            .build();
                    analyzer = a;
                }
            }
        }
        return a;
    }
}
