// The broker's network layer: listeners, framed connections, routers, the inter-broker client.
export { FramedConnection, type ConnectionStats, type Dispatch, type DispatchOutcome } from './framed-connection.js';
export { NetworkListener, ConnectionQuota, type ConnectionLimits, type FrameRouter } from './listener.js';
export { SocketServer, type BoundEndpoint, type SocketServerOptions } from './socket-server.js';
export { RequestRouter, type RequestRouterOptions, type RouterStats, type RequestEvent, type RequestObserver } from './request-router.js';
export { InternalRouter, INTERNAL_API_V0, type InternalApiVersions } from './internal-router.js';
export { InterBrokerClient, type BrokerEndpoint, type InterBrokerTransport, type InterBrokerClientOptions, type SendOptions } from './inter-broker-client.js';
export { InterBrokerChannel } from './inter-broker-channel.js';
export { RemoteError, encodeRemoteError, decodeRemoteError } from './remote-error.js';
