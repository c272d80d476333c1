package io.sightline.anomaly.rules;

import io.sightline.common.config.Settings;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/** The table of rule keys in docs/anomaly-detection.md, written from the declarations in {@link RuleKeys}. */
public final class RuleKeysDoc {

    /** The markers around the generated table in the page. */
    public static final String BEGIN = "<!-- rule keys: generated from RuleKeys by RuleKeysDoc; do not edit -->";

    public static final String END = "<!-- end of rule keys -->";

    private RuleKeysDoc() {}

    public static String table() {
        StringBuilder md = new StringBuilder(BEGIN).append('\n');
        md.append("| key | default | values | meaning |\n|---|---|---|---|\n");
        for (RuleKey<?> key : RuleKeys.ALL) {
            md.append("| `")
                    .append(key.name())
                    .append("` | ")
                    .append(defaultOf(key))
                    .append(" | ")
                    .append(key.allowed())
                    .append(" | ")
                    .append(key.doc())
                    .append(" |\n");
        }
        return md.append(END).toString();
    }

    private static String defaultOf(RuleKey<?> key) {
        if (key.setting() != null) {
            Object value = key.setting().defaultValue();
            String shown = key == RuleKeys.RENOTIFY ? value + " min" : format(value);
            return "`" + Settings.envName(key.setting().name()) + "` (" + (shown.isEmpty() ? "empty" : shown) + ")";
        }
        Object value = key.defaultValue();
        return value == null ? "(see values)" : "`" + format(value) + "`";
    }

    private static String format(Object value) {
        if (value instanceof Double d) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (value instanceof Enum<?> e) {
            return e.name().toLowerCase(Locale.ROOT);
        }
        if (value instanceof Duration d) {
            return d.toString();
        }
        if (value instanceof Collection<?> c) {
            return c.stream().map(RuleKeysDoc::format).collect(Collectors.joining(", ", "[", "]"));
        }
        return String.valueOf(value);
    }
}
