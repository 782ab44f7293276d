package io.farmvet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.NamingConvention;
import io.micrometer.jmx.JmxConfig;
import io.micrometer.jmx.JmxMeterRegistry;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class BitbucketJmxNamesTest {
    private final BitbucketJmxNames names = new BitbucketJmxNames();

    @Test
    void dottedPartsBecomeCategoriesAndTheLastTheName() throws Exception {
        assertThat(names.objectName("mirror.farm.vet.timer").toString())
                .isEqualTo("com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,category02=vet,"
                        + "name=timer");
        assertThat(names.objectName("mirror.request.synchronize.cycle-time"))
                .isEqualTo(new ObjectName("com.atlassian.bitbucket:name=cycle-time,type=metrics,category02=synchronize,"
                        + "category01=request,category00=mirror"));
        assertThat(names.objectName("timer").toString()).isEqualTo("com.atlassian.bitbucket:type=metrics,name=timer");
    }

    @Test
    void tagsBecomeKeysSoPercentileGaugesDoNotCollide() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        MetricRegistry dropwizard = new MetricRegistry();
        JmxReporter reporter = JmxReporter.forRegistry(dropwizard)
                .registerWith(server)
                .inDomain(BitbucketJmxNames.DOMAIN)
                .createsObjectNamesWith(names)
                .build();
        JmxMeterRegistry registry = new JmxMeterRegistry(JmxConfig.DEFAULT, Clock.SYSTEM, names, dropwizard, reporter);
        try {
            registry.config().namingConvention(NamingConvention.identity);
            Timer.builder("mirror.farm.vet.timer").publishPercentiles(0.5, 0.99).register(registry);

            assertThat(server.queryNames(new ObjectName("com.atlassian.bitbucket:*"), null))
                    .containsExactlyInAnyOrder(
                            new ObjectName("com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,"
                                    + "category02=vet,name=timer"),
                            new ObjectName("com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,"
                                    + "category02=vet,category03=timer,name=percentile,phi=0.5"),
                            new ObjectName("com.atlassian.bitbucket:type=metrics,category00=mirror,category01=farm,"
                                    + "category02=vet,category03=timer,name=percentile,phi=0.99"));
        } finally {
            registry.close();
        }
        assertThat(server.queryNames(new ObjectName("com.atlassian.bitbucket:*"), null))
                .isEmpty();
    }
}
