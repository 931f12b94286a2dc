package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code dns://name:port} endpoints and the service's {@code dnsRefreshMillis} in router YAML. */
class DnsEndpointConfigTest {
  private static final String NAME = "model-server-stable.infergate.svc.cluster.local";

  private static String yaml(String endpoint, String serviceExtra) {
    return """
        admin: { host: 127.0.0.1, port: 8081 }
        services:
          iris:
            tracks:
              stable: { weight: 100, endpoints: [%s, http://127.0.0.1:9001] }
        %s
        """
        .formatted(endpoint, serviceExtra.isEmpty() ? "" : "    " + serviceExtra);
  }

  private static List<EndpointAddress> endpoints(String yaml) throws ConfigException {
    return ConfigParser.parse(yaml, Map.of()).services().get("iris").tracks().get(0).endpoints();
  }

  private static String error(String endpoint, String serviceExtra) {
    return assertThrows(
            ConfigException.class, () -> ConfigParser.parse(yaml(endpoint, serviceExtra), Map.of()))
        .getMessage();
  }

  @Test
  void acceptsADnsNameWithAPortBesideHttpEndpoints() throws Exception {
    List<EndpointAddress> parsed = endpoints(yaml("dns://" + NAME + ":9000", ""));
    assertEquals(
        List.of(
            EndpointAddress.dns(NAME, 9000, Defaults.DNS_REFRESH_MILLIS),
            new EndpointAddress("127.0.0.1", 9001)),
        parsed);
    assertEquals("dns://" + NAME + ":9000", parsed.get(0).url());
  }

  @Test
  void takesTheRefreshIntervalFromTheService() throws Exception {
    assertEquals(
        EndpointAddress.dns("pods.local", 9000, 250),
        endpoints(yaml("dns://pods.local:9000", "dnsRefreshMillis: 250")).get(0));
  }

  @Test
  void refusesADnsEndpointWithoutPort() {
    assertEquals(
        "services.iris.tracks.stable.endpoints[0]: a dns endpoint needs a port (dns://name:port), "
            + "was 'dns://"
            + NAME
            + "'",
        error("dns://" + NAME, ""));
  }

  @Test
  void refusesOtherSchemesPathsAndBadPorts() {
    assertEquals(
        "services.iris.tracks.stable.endpoints[0]: must be http://host[:port] or dns://name:port "
            + "(scheme http or dns), was 'srv://pods:9000'",
        error("srv://pods:9000", ""));
    assertEquals(
        "services.iris.tracks.stable.endpoints[0]: must be dns://name:port with no path, "
            + "was 'dns://pods:9000/v2'",
        error("dns://pods:9000/v2", ""));
    assertEquals(
        "services.iris.tracks.stable.endpoints[0]: port must be 1..65535, was 'dns://pods:70000'",
        error("dns://pods:70000", ""));
  }

  @Test
  void refusesARefreshIntervalOutOfRange() {
    assertEquals(
        "services.iris.dnsRefreshMillis: must be 100..3600000, was 5",
        error("dns://pods:9000", "dnsRefreshMillis: 5"));
  }
}
