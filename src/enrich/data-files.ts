import { readFileSync } from 'node:fs';

/**
 * Bundled lists live in the repository's data/ folder. Resolved from this module's URL, so the path
 * is the same from src/enrich (tsx, vitest) and from dist/enrich (tsc build with rootDir src).
 */
const DATA_DIR = new URL('../../data/', import.meta.url);

export function dataFileUrl(name: string): URL {
  return new URL(name, DATA_DIR);
}

export function readDataFile(name: string): string {
  return readFileSync(dataFileUrl(name), 'utf8');
}
