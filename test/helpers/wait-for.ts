/**
 * Synchronisation for tests: poll a condition until it holds or a deadline passes, then fail
 * with a message that says what was awaited and what was last seen. Never a bare sleep.
 */
import { sleep, systemScheduler } from '../../common/index.js';

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

export async function waitFor<T>(
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  message: string,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 25;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${message}${detail}`);
    }
    await sleep(systemScheduler, intervalMs);
  }
}
