import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadBrokerConfig } from '../../../broker/index.js';
import { createHandlerRegistry, kafkaApiHandlers, NETWORK_API_KEYS, type KafkaApiDeps } from '../../../broker/handlers/index.js';
import { ApiKey } from '../../../protocol/index.js';
import { REPO_ROOT } from '../../helpers/zookeeper.js';

/**
 * The broker serves exactly the handlers of one list (`kafkaApiHandlers`): every handler file
 * in broker/handlers/ is in it (ApiVersions and the SASL APIs are the registry's own), no api key twice, and
 * ApiVersions advertises what the list registers.
 */
describe('network > the one list of Kafka APIs a broker serves', () => {
  // Handlers only capture their deps when created; nothing is called here.
  const deps = {
    brokerId: 1,
    config: loadBrokerConfig({ file: join(REPO_ROOT, 'config', 'server-1.properties') }),
    logger: pino({ level: 'silent' }),
    groups: { logger: pino({ level: 'silent' }) },
    producerIds: {},
    transactions: { logger: pino({ level: 'silent' }) },
  } as unknown as KafkaApiDeps;

  it('holds every handler file of broker/handlers, each api key once, and ApiVersions advertises them', () => {
    const dir = join(REPO_ROOT, 'broker', 'handlers');
    const declared = readdirSync(dir)
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/apiKey: ApiKey\.(\w+)/g)].map((m) => m[1]!))
      .map((name) => ApiKey[name as keyof typeof ApiKey])
      .filter((key) => !NETWORK_API_KEYS.includes(key));
    const listed = kafkaApiHandlers(deps).map((h) => h.apiKey);
    expect(new Set(listed).size, 'an api key listed twice').to.equal(listed.length);
    expect([...listed].sort((a, b) => a - b)).to.deep.equal([...declared].sort((a, b) => a - b));
    const registry = createHandlerRegistry();
    for (const h of kafkaApiHandlers(deps)) registry.register(h);
    expect(registry.advertised().map((r) => r.apiKey)).to.deep.equal([...listed, ...NETWORK_API_KEYS].sort((a, b) => a - b));
  });
});
