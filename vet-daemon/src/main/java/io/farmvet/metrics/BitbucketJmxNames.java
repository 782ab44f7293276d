package io.farmvet.metrics;

import com.codahale.metrics.jmx.ObjectNameFactory;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.core.instrument.util.HierarchicalNameMapper;
import java.util.ArrayList;
import java.util.List;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Names JMX beans the way Bitbucket does, so dashboards and JMX tools built for Bitbucket's own metrics read
 * farmvet's unchanged: the dotted meter name {@code mirror.farm.vet.timer} becomes
 * {@code com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,category02=vet,name=timer}.
 *
 * <p>Tags, if a meter has any, become further key properties after {@code name} ({@code ,phi=0.99}). They
 * must not be dropped: Micrometer registers a timer's percentile gauges as separate Dropwizard metrics that
 * differ only by tag, and without them the second registration collides with the first. Tag keys and values
 * must not contain {@code | , =}: this mapper serves only farmvet's own JMX registry, whose tags never do.
 * Stateless and thread-safe.
 */
final class BitbucketJmxNames implements HierarchicalNameMapper, ObjectNameFactory {
    /** Bitbucket's JMX domain. */
    static final String DOMAIN = "com.atlassian.bitbucket";

    /** Between the dotted name and the tags in the hierarchical name: a character no meter name holds. */
    private static final char TAG_SEPARATOR = '|';

    @Override
    public String toHierarchicalName(Meter.Id id, NamingConvention convention) {
        StringBuilder name = new StringBuilder(id.getConventionName(convention));
        String separator = String.valueOf(TAG_SEPARATOR);
        for (Tag tag : id.getConventionTags(convention)) {
            name.append(separator).append(tag.getKey()).append('=').append(tag.getValue());
            separator = ",";
        }
        return name.toString();
    }

    @Override
    public ObjectName createName(String type, String domain, String name) {
        int bar = name.indexOf(TAG_SEPARATOR);
        String dotted = bar < 0 ? name : name.substring(0, bar);
        List<String> parts = List.of(dotted.split("\\.", -1));
        // The string form keeps Bitbucket's key order (type, category00.., name) in what tools display;
        // ObjectName equality is on the canonical form, so lookups do not depend on it.
        StringBuilder text = new StringBuilder(domain).append(":type=metrics");
        for (int i = 0; i < parts.size() - 1; i++) {
            text.append(String.format(",category%02d=", i)).append(quoteIfNeeded(parts.get(i)));
        }
        text.append(",name=").append(quoteIfNeeded(parts.get(parts.size() - 1)));
        if (bar >= 0) {
            for (String tag : splitTags(name.substring(bar + 1))) {
                int eq = tag.indexOf('=');
                text.append(',')
                        .append(quoteIfNeeded(tag.substring(0, eq)))
                        .append('=')
                        .append(quoteIfNeeded(tag.substring(eq + 1)));
            }
        }
        try {
            return new ObjectName(text.toString());
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException("cannot name JMX bean for meter " + name + ": " + text, e);
        }
    }

    /** The object name a tag-less meter of this dotted name gets. */
    ObjectName objectName(String dottedName) {
        return createName("timers", DOMAIN, dottedName);
    }

    private static List<String> splitTags(String tags) {
        List<String> out = new ArrayList<>();
        for (String tag : tags.split(",", -1)) {
            if (!tag.isEmpty()) {
                out.add(tag);
            }
        }
        return out;
    }

    private static String quoteIfNeeded(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ',' || c == '=' || c == ':' || c == '"' || c == '*' || c == '?' || c == '\n') {
                return ObjectName.quote(value);
            }
        }
        return value;
    }
}
