// broker/http: the HTTP admin API (fastify), built by buildAdminApp(deps), bound by startAdminHttp.
export { ADMIN_API_VERSION, buildAdminApp, type AdminAppOptions } from './app.js';
export { DEFAULT_ADMIN_HOST, startAdminHttp, type AdminHttpListen, type RunningAdminHttp } from './server.js';
export { AdminHttpError, HTTP_STATUS_BY_KAFKA_ERROR, toHttpFailure, type ErrorBody, type HttpFailure } from './errors.js';
export { buildOpenApiDocument, openApiPath, type CollectedRoute, type OpenApiInfo } from './openapi.js';
export type * from './deps.js';
export { clusterFromMetadata, controllerOperations, topicViewFromMetadata, type MetadataTopicViewOptions } from './adapters.js';
