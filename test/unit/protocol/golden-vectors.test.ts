/**
 * Golden vectors for every version of every described api, request and response: protocol/'s
 * encoder must produce exactly the oracle's bytes (golden/bytes.ts, written from Kafka's JSON
 * specs), its decoder must read them back to the same body and consume every byte, and in flexible
 * versions an unknown tagged field in every tagged section must be skipped.
 */
import { expect } from 'chai';
import { API_MESSAGES, Reader, Writer, apiName, messageCodec, type MessageSpec } from '../../../protocol/index.js';
import { Bytes } from './golden/bytes.js';
import type { ApiCase, MessageCase } from './golden/case.js';
import { clusterCases } from './golden/cases-cluster.js';
import { configCases } from './golden/cases-configs.js';
import { dataCases } from './golden/cases-data.js';
import { groupCases } from './golden/cases-groups.js';
import { metadataCases } from './golden/cases-metadata.js';
import { offsetCases } from './golden/cases-offsets.js';
import { securityCases } from './golden/cases-security.js';
import { txnCases } from './golden/cases-txn.js';
import { versionsOf } from './spec-random.js';

const CASES: readonly ApiCase[] = [...dataCases, ...metadataCases, ...configCases, ...groupCases, ...offsetCases, ...txnCases, ...securityCases, ...clusterCases];

/** Buffers decode as views into the input: compare their contents. */
function normalise(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return `hex:${v.toString('hex')}`;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

function expectedBytes(c: MessageCase<unknown>, v: number, body: unknown, flexible: boolean, injectUnknown: boolean): Buffer {
  const b = new Bytes(flexible, injectUnknown);
  c.bytes(b, v, body);
  return b.build();
}

function decodeAll(spec: MessageSpec, v: number, bytes: Buffer): unknown {
  const r = new Reader(bytes);
  const body = messageCodec(spec, v).decode(r);
  expect(r.remaining(), 'bytes left after decoding').to.equal(0);
  return body;
}

describe('protocol > golden vectors (every api, every version)', () => {
  it('cover exactly the described apis', () => {
    const covered = CASES.map((c) => apiName(c.api)).sort();
    expect(covered).to.deep.equal([...API_MESSAGES.keys()].map(apiName).sort());
  });

  for (const c of CASES) {
    const pair = API_MESSAGES.get(c.api);
    if (pair === undefined) continue;
    for (const kind of ['request', 'response'] as const) {
      const spec = pair[kind];
      const mc = c[kind] as MessageCase<unknown>;
      for (const v of versionsOf(spec)) {
        const flexible = v >= c.flexibleFrom;
        it(`${spec.name} v${v}${flexible ? ' (flexible)' : ''}`, () => {
          const body = mc.body(v);
          const expected = expectedBytes(mc, v, body, flexible, false);
          const w = new Writer(64);
          messageCodec(spec, v).encode(w, body);
          expect(w.finish().toString('hex'), 'encoded bytes').to.equal(expected.toString('hex'));
          expect(normalise(decodeAll(spec, v, expected)), 'decoded body').to.deep.equal(normalise(body));
          if (flexible) {
            const withUnknownTags = expectedBytes(mc, v, body, true, true);
            expect(withUnknownTags.length).to.be.greaterThan(expected.length);
            expect(normalise(decodeAll(spec, v, withUnknownTags)), 'decoded with unknown tags').to.deep.equal(normalise(body));
          }
        });
      }
    }
  }
});
