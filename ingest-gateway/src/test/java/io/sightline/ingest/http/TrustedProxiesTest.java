package io.sightline.ingest.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private final TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.10", "fd00::/8"));

    @Test
    void shouldTakeTheFirstUntrustedAddressFromTheRightBehindATrustedProxy() {
        assertThat(proxies.clientAddress("10.1.2.3", "203.0.113.9")).isEqualTo("203.0.113.9");
        assertThat(proxies.clientAddress("10.1.2.3", "198.51.100.1, 203.0.113.9, 192.168.1.10"))
                .isEqualTo("203.0.113.9");
        assertThat(proxies.clientAddress("fd12::1", "2001:db8::7")).isEqualTo("2001:db8::7");
    }

    @Test
    void shouldIgnoreTheHeaderFromAPeerThatIsNotTrusted() {
        assertThat(proxies.clientAddress("203.0.113.50", "1.2.3.4")).isEqualTo("203.0.113.50");
        assertThat(proxies.clientAddress("192.168.1.11", "1.2.3.4")).isEqualTo("192.168.1.11");
    }

    @Test
    void shouldStopAtGarbageAndAtAnAllTrustedChain() {
        assertThat(proxies.clientAddress("10.0.0.1", "evil.example.com, 10.0.0.2"))
                .isEqualTo("10.0.0.2");
        assertThat(proxies.clientAddress("10.0.0.1", "10.0.0.3, 10.0.0.2")).isEqualTo("10.0.0.3");
        assertThat(proxies.clientAddress("10.0.0.1", null)).isEqualTo("10.0.0.1");
    }

    @Test
    void shouldRejectEntriesThatAreNotAddressesOrRanges() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.internal")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("SIGHTLINE_TRUSTED_PROXIES");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).isInstanceOf(ConfigException.class);
    }
}
