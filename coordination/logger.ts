/** The subset of a pino logger coordination/ writes to (it may not import broker/). */
export interface CoordinationLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const nullLogger: CoordinationLogger = { debug() {}, info() {}, warn() {}, error() {} };
