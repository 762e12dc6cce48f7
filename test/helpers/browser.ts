/**
 * Debian's headless Chromium driven by playwright-core (never a downloaded browser). The flags
 * keep it off the network: without the background-networking ones it tries to reach Google and
 * this closed network refuses it. Each launch gets a fresh profile in a temp directory.
 */
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { tmpDir } from './tmp.js';

export const CHROMIUM = process.env['SAMSA_CHROMIUM'] ?? '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-precise-memory-info',
];

/** Why the browser tests cannot run here, or undefined when they can. */
export function missingBrowser(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (Debian: apt-get install chromium; npm test installs it when root)`;
}

export async function launchBrowser(viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  return chromium.launchPersistentContext(tmpDir('samsa-chromium-'), { executablePath: CHROMIUM, headless: true, viewport, args: FLAGS });
}
