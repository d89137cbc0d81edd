package dev.rali.engine.cli;

import dev.rali.engine.params.ParamKey;
import dev.rali.engine.params.ParamKeys;

import java.util.List;
import java.util.function.Predicate;

/** The parameter listing of {@code rali run --show-defaults} and {@code rali train-head --explain}. */
final class ParamListing {
    private ParamListing() { }

    /** Every key with its type, default, the paper's value and help, section by section. */
    static String format() {
        return format(k -> true);
    }

    static String format(Predicate<ParamKey<?>> which) {
        StringBuilder sb = new StringBuilder();
        sb.append("Parameters: set one with --set section.key=value; --params FILE takes the same keys as JSON "
                + "nested by section.\n");
        for (String section : ParamKeys.SECTIONS) {
            List<ParamKey<?>> keys = ParamKeys.section(section).stream().filter(which).toList();
            if (keys.isEmpty()) {
                continue;
            }
            sb.append('\n').append('[').append(section).append("]\n");
            for (ParamKey<?> k : keys) {
                String def = k.format(k.defaultValue());
                sb.append(k.name()).append(" = ").append(def.isEmpty() ? "\"\"" : def).append('\n');
                sb.append("    type: ").append(k.describeType()).append("; paper: ").append(k.paperValue())
                        .append('\n');
                sb.append("    ").append(k.help()).append('\n');
            }
        }
        return sb.toString();
    }
}
