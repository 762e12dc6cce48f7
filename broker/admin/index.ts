// broker/admin: topic operations shared by the Kafka admin APIs, the HTTP API and the CLI.
export {
  TopicAdmin,
  TopicAdminError,
  validateTopicName,
  type CreateTopicRequest,
  type CreateTopicResult,
  type TopicAdminErrorCode,
  type TopicAdminOptions,
} from './topic-admin.js';
