/**
 * The error catalog: every module's error codes, each declared with the ONE Kafka error it means,
 * checked against protocol/'s table of Kafka errors; every error class of every module is a
 * ModuleError whose codes come from such a table; and broker/http's status table covers every
 * name an error on the broker side can carry. A new code or class that skips the mechanism fails
 * here.
 */
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ModuleError, type ErrorSpec } from '../../common/index.js';
import { ErrorCode, errorInfo, FrameTooLargeError, isErrorName, ProtocolError, PROTOCOL_ERRORS, ScramError } from '../../protocol/index.js';
import { SecurityError } from '../../broker/security/errors.js';
import { QuotaError } from '../../broker/quota/index.js';
import { StorageError, STORAGE_ERRORS } from '../../storage/index.js';
import { CoordinationError, COORDINATION_ERRORS } from '../../coordination/index.js';
import { RecordValidationError } from '../../broker/replica/record-validation.js';
import { BrokerError, BROKER_ERRORS, CONFIG_ERRORS, ConfigError, kafkaErrorName, RemoteError, toWireError } from '../../broker/index.js';
import { TopicAdminError } from '../../broker/admin/index.js';
import { DashboardDataError } from '../../broker/dashboard-data.js';
import { GroupAdminError } from '../../broker/group-admin.js';
import { AssignmentError, ControllerError } from '../../broker/controller/index.js';
import { ControlRequestError, MetaPropertiesError } from '../../broker/metadata/index.js';
import { GroupCoordinatorError, OffsetsLogError } from '../../broker/group/index.js';
import { TxnCoordinatorError } from '../../broker/txn/index.js';
import { AdminHttpError, HTTP_STATUS_BY_KAFKA_ERROR, toHttpFailure } from '../../broker/http/index.js';
import { CLIENT_ERRORS, KafkaClientError } from '../../client/index.js';
import { REPO_ROOT } from '../helpers/zookeeper.js';

type Table = Readonly<Record<string, ErrorSpec>>;

/** Every module's table, the prefix its codes share, and the class that carries them. */
const TABLES: readonly { module: string; prefix: string; table: Table; make: (code: string) => ModuleError; brokerSide: boolean }[] = [
  { module: 'protocol', prefix: 'PRT_', table: PROTOCOL_ERRORS, make: (c) => new ProtocolError(c as never, 'm'), brokerSide: true },
  { module: 'storage', prefix: 'STG_', table: STORAGE_ERRORS, make: (c) => new StorageError(c as never, 'm'), brokerSide: true },
  { module: 'coordination', prefix: 'CRD_', table: COORDINATION_ERRORS, make: (c) => new CoordinationError(c as never, 'm'), brokerSide: true },
  { module: 'broker', prefix: 'BRK_', table: BROKER_ERRORS, make: (c) => new BrokerError(c as never, 'm'), brokerSide: true },
  { module: 'broker/config', prefix: 'CFG_', table: CONFIG_ERRORS, make: (c) => new ConfigError(c as never, 'm'), brokerSide: true },
  { module: 'client', prefix: 'CLI_', table: CLIENT_ERRORS, make: (c) => new KafkaClientError(c as never, 'm'), brokerSide: false },
];

/** One instance of every error class the modules define (each found by the source scan below). */
const CLASSES: Record<string, () => ModuleError> = {
  ModuleError: () => new ModuleError(BROKER_ERRORS, 'BRK_INTERNAL', 'm'),
  ProtocolError: () => new ProtocolError('PRT_TRUNCATED', 'm'),
  FrameTooLargeError: () => new FrameTooLargeError(1 << 30, 1 << 20),
  StorageError: () => new StorageError('STG_IO', 'm'),
  CoordinationError: () => new CoordinationError('CRD_TIMEOUT', 'm'),
  BrokerError: () => new BrokerError('BRK_NOT_CONTROLLER', 'm'),
  RemoteError: () => new RemoteError('BRK_STALE_BROKER_EPOCH', 'm', false, 'STALE_BROKER_EPOCH'),
  ConfigError: () => new ConfigError('CFG_UNKNOWN_KEY', 'm'),
  RecordValidationError: () => new RecordValidationError('BRK_INVALID_TIMESTAMP', 'm', []),
  TopicAdminError: () => new TopicAdminError('BRK_TOPIC_ALREADY_EXISTS', 'm'),
  AssignmentError: () => new AssignmentError('BRK_INVALID_REPLICATION_FACTOR', 'm'),
  ControllerError: () => new ControllerError('BRK_STALE_BROKER_EPOCH', 'm'),
  ControlRequestError: () => new ControlRequestError('m'),
  MetaPropertiesError: () => new MetaPropertiesError('m'),
  GroupAdminError: () => new GroupAdminError('NON_EMPTY_GROUP', 'm'),
  DashboardDataError: () => new DashboardDataError('LEADER_NOT_AVAILABLE', 'm'),
  GroupCoordinatorError: () => new GroupCoordinatorError('BRK_GROUP_NOT_EMPTY', 'm'),
  OffsetsLogError: () => new OffsetsLogError('BRK_GROUP_OFFSETS_APPEND', 'm', 'NOT_ENOUGH_REPLICAS'),
  TxnCoordinatorError: () => new TxnCoordinatorError('BRK_TXN_CODEC', 'm'),
  AdminHttpError: () => new AdminHttpError(404, 'NOT_FOUND', 'm'),
  KafkaClientError: () => new KafkaClientError('CLI_CONNECTION', 'm'),
  ScramError: () => new ScramError('m'),
  SecurityError: () => new SecurityError('BRK_SASL_AUTHENTICATION_FAILED', 'm'),
  QuotaError: () => new QuotaError('BRK_QUOTA_INVALID_KEY', 'm'),
};

/** The codes whose Kafka error comes with each error rather than from the table. */
const RELAYED = ['BRK_GROUP_ADMIN', 'BRK_DASHBOARD_DATA', 'BRK_REMOTE_ERROR', 'BRK_GROUP_OFFSETS_APPEND', 'CLI_BROKER_ERROR'];

const MODULE_DIRS = ['common', 'protocol', 'storage', 'coordination', 'broker', 'client'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** `class X extends Y` declarations in the module sources whose name or base says "Error". */
function declaredErrorClasses(): { name: string; base: string; file: string }[] {
  const found: { name: string; base: string; file: string }[] = [];
  for (const dir of MODULE_DIRS) {
    for (const file of sources(join(REPO_ROOT, dir))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bclass\s+(\w+)(?:<[^>{]*>)?\s+extends\s+(\w+)/g)) {
        if (/Error$/.test(m[1]!) || /Error$/.test(m[2]!)) found.push({ name: m[1]!, base: m[2]!, file: relative(REPO_ROOT, file) });
      }
    }
  }
  return found;
}

describe('errors > catalog: one table per module, one Kafka error per code', () => {
  it('every code of every module names exactly one Kafka error that exists in protocol/', () => {
    const seen = new Map<string, string>();
    for (const { module, prefix, table } of TABLES) {
      expect(Object.keys(table), module).to.not.be.empty;
      for (const [code, spec] of Object.entries(table)) {
        expect(code.startsWith(prefix), `${module}: ${code} starts with ${prefix}`).to.equal(true);
        expect(seen.has(code), `${code} declared in ${seen.get(code)} and ${module}`).to.equal(false);
        seen.set(code, module);
        expect(isErrorName(spec.kafkaError), `${code} → ${spec.kafkaError} is one of Kafka's error names`).to.equal(true);
        const wire = ErrorCode[spec.kafkaError as keyof typeof ErrorCode];
        expect(errorInfo(wire).name, `${code}: ${spec.kafkaError} is code ${wire}`).to.equal(spec.kafkaError);
        expect(wire, `${code} is an error, not NONE`).to.not.equal(ErrorCode.NONE);
        expect(typeof spec.retriable, `${code}.retriable`).to.equal('boolean');
      }
    }
  });

  it('an error of every code carries its declared name and goes on the wire as that code', () => {
    for (const { table, make } of TABLES) {
      for (const [code, spec] of Object.entries(table)) {
        const err = make(code);
        expect(err).to.be.instanceOf(ModuleError);
        expect([err.code, err.kafkaError, err.retriable], code).to.deep.equal([code, spec.kafkaError, spec.retriable]);
        expect(toWireError(err), code).to.equal(ErrorCode[spec.kafkaError as keyof typeof ErrorCode]);
      }
    }
  });

  it('only the declared relaying codes take a Kafka error from the error itself', () => {
    const relayed = TABLES.flatMap(({ table }) => Object.entries(table).filter(([, s]) => s.relayed === true).map(([c]) => c));
    expect(relayed.sort()).to.deep.equal([...RELAYED].sort());
    expect(new BrokerError('BRK_REMOTE_ERROR', 'm', { kafkaError: 'FENCED_LEADER_EPOCH' }).kafkaError).to.equal('FENCED_LEADER_EPOCH');
    expect(new GroupAdminError('NON_EMPTY_GROUP', 'm').kafkaError).to.equal('NON_EMPTY_GROUP');
    expect(new DashboardDataError('LEADER_NOT_AVAILABLE', 'm').kafkaError).to.equal('LEADER_NOT_AVAILABLE');
    expect(new OffsetsLogError('BRK_GROUP_OFFSETS_APPEND', 'm', 'NOT_ENOUGH_REPLICAS').kafkaError).to.equal('NOT_ENOUGH_REPLICAS');
    expect(new KafkaClientError('CLI_BROKER_ERROR', 'm', { kafkaError: 'MESSAGE_TOO_LARGE' })).to.include({ kafkaError: 'MESSAGE_TOO_LARGE', kafkaCode: 10 });
    // A declared code keeps its one name whatever the caller passes.
    expect(new BrokerError('BRK_NOT_CONTROLLER', 'm', { kafkaError: 'FENCED_LEADER_EPOCH' }).kafkaError).to.equal('NOT_CONTROLLER');
  });

  it('every error class in the modules is a ModuleError and is listed here', () => {
    const declared = declaredErrorClasses();
    const plain = declared.filter((c) => c.base === 'Error' && c.name !== 'ModuleError');
    expect(plain.map((c) => `${c.file}: ${c.name} extends Error`), 'module errors extend ModuleError (common/)').to.deep.equal([]);
    expect(declared.map((c) => c.name).sort()).to.deep.equal(Object.keys(CLASSES).sort());
    for (const [name, make] of Object.entries(CLASSES)) {
      const err = make();
      expect(err, name).to.be.instanceOf(ModuleError);
      expect(isErrorName(err.kafkaError), `${name}.kafkaError`).to.equal(true);
    }
  });

  it('anything that is not a module error is UNKNOWN_SERVER_ERROR, whatever its shape', () => {
    for (const v of [new Error('x'), Object.assign(new Error('x'), { code: 'BRK_NOT_CONTROLLER', errorCode: 'NOT_CONTROLLER', kafkaError: 'NOT_CONTROLLER' }), 'str', null, undefined, 42]) {
      expect(kafkaErrorName(v)).to.equal('UNKNOWN_SERVER_ERROR');
      expect(toWireError(v)).to.equal(ErrorCode.UNKNOWN_SERVER_ERROR);
    }
  });
});

describe('errors > catalog: HTTP statuses derive from the Kafka name', () => {
  it('the HTTP table lists every Kafka name a broker-side error can be declared with', () => {
    const names = new Set(TABLES.filter((t) => t.brokerSide).flatMap(({ table }) => Object.values(table).map((s) => s.kafkaError)));
    const missing = [...names].filter((n) => !(n in HTTP_STATUS_BY_KAFKA_ERROR));
    expect(missing, 'names without an HTTP status').to.deep.equal([]);
    for (const [name, status] of Object.entries(HTTP_STATUS_BY_KAFKA_ERROR)) {
      expect(isErrorName(name), name).to.equal(true);
      expect(status, name).to.be.within(400, 599);
    }
  });

  it('an error of every broker-side code gets its name\'s status and says that name', () => {
    for (const { table, make, brokerSide } of TABLES) {
      if (!brokerSide) continue;
      for (const [code, spec] of Object.entries(table)) {
        if (code === 'BRK_ADMIN_HTTP') continue; // carries its own status and name
        const failure = toHttpFailure(make(code), () => 1);
        const status = HTTP_STATUS_BY_KAFKA_ERROR[spec.kafkaError as keyof typeof HTTP_STATUS_BY_KAFKA_ERROR];
        expect([failure.statusCode, failure.body.error.code], code).to.deep.equal([status, spec.kafkaError]);
      }
    }
  });
});
