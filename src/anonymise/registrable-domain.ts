/**
 * A client host name under the `mask` policy (Apache `HostnameLookups On` logs names, not
 * addresses): only its registrable domain is kept, `pool-71-104-40-142.lsanca.dsl-w.verizon.net`
 * → `verizon.net`, as a /24 keeps only the network. The Public Suffix List (tldts) knows that
 * `example.co.uk` is registrable and `co.uk` is not.
 */
import { parse } from 'tldts';

/** What `mask` shows for a name outside the public DNS. */
export const LOCAL_NAME = '(local name)';

export function registrableDomain(host: string): string {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost') return h;
  const p = parse(h, { allowPrivateDomains: false });
  // Fails closed: a name under no ICANN suffix (`alice-laptop`, `alices-macbook.local`,
  // `pc1.corp.internal`) has no registrable domain to keep, and the whole name may name a person.
  return p.isIcann === true && p.domain !== null ? p.domain : LOCAL_NAME;
}
