/**
 * Kafka listener strings: `NAME://host:port[,NAME://host:port]`. The name maps to a security
 * protocol through `listener.security.protocol.map`; an empty host means "all interfaces" when
 * binding and "this machine's name" when advertised, as in Kafka.
 */
export interface Listener {
  readonly name: string;
  readonly host: string;
  readonly port: number;
}

const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type SecurityProtocol = (typeof SECURITY_PROTOCOLS)[number];

const LISTENER_RE = /^([A-Za-z_][A-Za-z0-9_]*):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]*):(\d{1,5})$/;

/** Returns a description of what is wrong, or undefined. */
export function checkListeners(items: readonly string[]): string | undefined {
  const names = new Set<string>();
  for (const item of items) {
    const m = LISTENER_RE.exec(item);
    if (m === null) return `"${item}" is not of the form NAME://host:port (e.g. PLAINTEXT://127.0.0.1:9092)`;
    const port = Number(m[3]);
    if (port > 65535) return `port ${port} in "${item}" is above 65535`;
    const name = m[1]!.toUpperCase();
    if (names.has(name)) return `listener name ${name} is used twice`;
    names.add(name);
  }
  return undefined;
}

export function parseListeners(items: readonly string[]): Listener[] {
  return items.map((item) => {
    const m = LISTENER_RE.exec(item);
    if (m === null) throw new Error(`unchecked listener ${item}`);
    const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
    return { name: m[1]!.toUpperCase(), host, port: Number(m[3]) };
  });
}

export function checkProtocolMap(items: readonly string[]): string | undefined {
  for (const item of items) {
    const [name, protocol, extra] = item.split(':');
    if (name === undefined || protocol === undefined || extra !== undefined || name === '') {
      return `"${item}" is not of the form NAME:PROTOCOL`;
    }
    if (!(SECURITY_PROTOCOLS as readonly string[]).includes(protocol.toUpperCase())) {
      return `protocol ${protocol} in "${item}" is not one of ${SECURITY_PROTOCOLS.join(', ')}`;
    }
  }
  return undefined;
}

export function parseProtocolMap(items: readonly string[]): Map<string, SecurityProtocol> {
  const map = new Map<string, SecurityProtocol>();
  for (const item of items) {
    const [name, protocol] = item.split(':') as [string, string];
    map.set(name.toUpperCase(), protocol.toUpperCase() as SecurityProtocol);
  }
  return map;
}
