/**
 * `--ip mask` on host-name clients keeps the registrable domain (Public Suffix List), and fails
 * closed on names outside the public DNS: the whole name of a laptop may name its owner.
 */
import { describe, expect, it } from 'vitest';
import { LOCAL_NAME, registrableDomain } from '../../../src/anonymise/registrable-domain.js';

describe('registrableDomain', () => {
  it.each([
    ['c-73-1-2-3.hsd1.ca.comcast.net', 'comcast.net'],
    ['pool-71-104-40-142.lsanca.dsl-w.verizon.net', 'verizon.net'],
    ['dial-17.Modem.EXAMPLE.net', 'example.net'],
    ['gw1.lab.example.org.', 'example.org'],
    ['host.example.co.uk', 'example.co.uk'],
    ['localhost', 'localhost'],
  ])('%s → %s', (name, want) => {
    expect(registrableDomain(name)).toBe(want);
  });

  it.each(['alice-laptop', 'alices-macbook.local', 'pc1.corp.internal', 'printer.lan', 'co.uk'])('%s has no public registrable domain: shown as one constant', (name) => {
    expect(registrableDomain(name)).toBe(LOCAL_NAME);
  });
});
