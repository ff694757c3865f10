package dev.tollgate.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CidrTest {
    private static boolean in(String cidr, String address) throws Exception {
        return Cidr.parse(cidr).contains(InetAddress.getByName(address));
    }

    @Test
    void matchesByPrefix() throws Exception {
        assertTrue(in("127.0.0.0/8", "127.3.4.5"));
        assertFalse(in("127.0.0.0/8", "128.0.0.1"));
        assertTrue(in("10.1.0.0/20", "10.1.15.255"));
        assertFalse(in("10.1.0.0/20", "10.1.16.0"));
        assertTrue(in("192.168.1.7", "192.168.1.7"));
        assertFalse(in("192.168.1.7", "192.168.1.8"));
        assertTrue(in("::1/128", "::1"));
        assertTrue(in("fd00::/8", "fd12:3456::1"));
        assertFalse(in("::1/128", "127.0.0.1"), "families never mix");
        assertTrue(in("0.0.0.0/0", "8.8.8.8"));
    }

    @Test
    void refusesWhatIsNotANetwork() {
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("localhost"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("300.1.1.1"));
    }

    @Test
    void configNamesTheBadNetwork() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigParser(v -> v, w -> { })
                .parse("ops:\n  allowed-networks: [10.0.0.0/8, nonsense]\n", Optional.empty(),
                        Path.of("x.db")));
        assertTrue(e.getMessage().contains("'ops' (line 2)") && e.getMessage().contains("nonsense"), e.getMessage());
    }
}
