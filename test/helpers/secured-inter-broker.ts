/**
 * Broker properties for an INTERNAL listener on SASL_SSL (TLS from make-test-certs.sh's CA,
 * brokers log in with SASL PLAIN as User:broker), shared by the secured failover test and the
 * failover soak's --secured-inter-broker mode.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpDir } from './tmp.js';
import { REPO_ROOT } from './zookeeper.js';

export function securedInterBrokerProperties(options: { verifyHostname?: boolean } = {}): Record<string, string> {
  const certs = tmpDir('samsa-ib-certs-');
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'make-test-certs.sh'), certs]);
  return {
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,INTERNAL:SASL_SSL',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': join(certs, 'broker.pem'),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': join(certs, 'ca.pem'),
    // Brokers in network namespaces dial each other on 10.213.x.y, which the test certificate
    // does not name; the soak turns the host name check off there (Kafka's empty value).
    ...(options.verifyHostname === false ? { 'ssl.endpoint.identification.algorithm': '' } : {}),
    'sasl.enabled.mechanisms': 'PLAIN',
    'sasl.mechanism.inter.broker.protocol': 'PLAIN',
    'listener.name.internal.plain.sasl.jaas.config':
      'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret";',
  };
}
