/** `host:port[,host:port…][/chroot]`, as in Kafka's zookeeper.connect. */
export interface ParsedConnectString {
  readonly servers: string;
  /** '' when there is no chroot, else '/a/b' without a trailing slash. */
  readonly chroot: string;
}

export function parseConnectString(connect: string): ParsedConnectString {
  const slash = connect.indexOf('/');
  if (slash < 0) return { servers: connect, chroot: '' };
  const chroot = connect.slice(slash).replace(/\/+$/, '');
  return { servers: connect.slice(0, slash), chroot: chroot === '/' ? '' : chroot };
}
