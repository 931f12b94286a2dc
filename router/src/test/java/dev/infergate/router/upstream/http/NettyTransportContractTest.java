package dev.infergate.router.upstream.http;

import dev.infergate.router.config.UpstreamConfig;

/** The default transport, raw Netty, against the {@link UpstreamTransportContract}. */
class NettyTransportContractTest extends UpstreamTransportContract {
  @Override
  UpstreamConfig.Transport kind() {
    return UpstreamConfig.Transport.NETTY;
  }
}
