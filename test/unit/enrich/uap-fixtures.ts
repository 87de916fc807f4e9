/** Loads the uap-core test cases copied into fixtures/useragents/ (Apache-2.0, see README there). */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface UapCase {
  readonly user_agent_string: string;
  readonly family: string;
}

export function loadUapCases(file: 'test_ua.yaml' | 'test_os.yaml' | 'test_device.sample.yaml'): UapCase[] {
  const url = new URL(`../../../fixtures/useragents/${file}`, import.meta.url);
  const doc = parse(readFileSync(url, 'utf8')) as { test_cases: UapCase[] };
  return doc.test_cases.filter((c) => typeof c.user_agent_string === 'string' && c.user_agent_string !== '');
}
