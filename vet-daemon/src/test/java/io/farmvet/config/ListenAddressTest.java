package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one {@code host:port} parser, behind {@code server.listen} and the agent's {@code --listen}. */
class ListenAddressTest {
    @ParameterizedTest
    @CsvSource({
        "127.0.0.1:8787, 127.0.0.1, 8787",
        "localhost:0, localhost, 0",
        "farmvet.example.com:65535, farmvet.example.com, 65535",
        "[::1]:7990, ::1, 7990",
        "[::]:80, ::, 80",
        "[fe80::1:2]:443, fe80::1:2, 443",
        "0.0.0.0:7990, 0.0.0.0, 7990"
    })
    void parsesHostAndPortWithIpv6InBrackets(String text, String host, int port) {
        ListenAddress address = ListenAddress.parse(text);

        assertThat(address.host()).isEqualTo(host);
        assertThat(address.port()).isEqualTo(port);
        assertThat(address).hasToString(text);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "7990|needs a port (host:port), got \"7990\"",
                "localhost|needs a port (host:port), got \"localhost\"",
                "localhost:|needs a port from 0 to 65535 after the colon, got \"localhost:\"",
                "localhost:65536|needs a port from 0 to 65535 after the colon, got \"localhost:65536\"",
                "localhost:-1|needs a port from 0 to 65535 after the colon",
                "localhost:123456|needs a port from 0 to 65535 after the colon",
                "localhost:http|needs a port from 0 to 65535 after the colon",
                "::1:7990|holds an IPv6 address without brackets, got \"::1:7990\"",
                "[::1]7990|must be host:port, got \"[::1]7990\"",
                "[::1]|must be host:port",
                "[::1:7990|must be host:port",
                "[not-v6]:7990|has no valid IPv6 address in brackets",
                ":7990|has no valid host name or address before the port, got \":7990\"",
                "bad_host:7990|has no valid host name or address before the port",
                "-a.example.com:7990|has no valid host name or address before the port"
            })
    void refusesWhatIsNotHostColonPortSayingWhy(String text, String problem) {
        assertThatThrownBy(() -> ListenAddress.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(problem);
    }
}
