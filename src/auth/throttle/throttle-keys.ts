import { isIP } from 'node:net';

/** Throttle key for an account, from the HMAC blind index of its email (never the email). */
export function accountKey(emailIndex: Buffer): string {
  return `account:${emailIndex.toString('hex')}`;
}

/**
 * Throttle key for a client address. IPv6 is keyed by its /64, the block one subscriber
 * usually holds, or an attacker could cycle through addresses to dodge the limit; IPv4-mapped
 * IPv6 is keyed as the IPv4 address it is.
 */
export function ipKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return `ip:${mapped[1]}`;
  if (isIP(address) === 4) return `ip:${address}`;
  if (isIP(address) !== 6) throw new TypeError('not an IP address');
  return `ip:${ipv6Hextets(address).slice(0, 4).join(':')}::/64`;
}

function ipv6Hextets(address: string): string[] {
  const bare = address.split('%')[0] ?? address;
  const [head = '', tail] = bare.split('::');
  const parse = (s: string) => (s ? s.split(':') : []);
  let right = parse(tail ?? '');
  // An embedded IPv4 tail (::1.2.3.4 forms) is two hextets; only the first four matter here.
  right = right.flatMap((h) => (h.includes('.') ? ['0', '0'] : [h]));
  const left = parse(head);
  const fill = tail === undefined ? [] : Array(8 - left.length - right.length).fill('0');
  return [...left, ...fill, ...right].map((h) => parseInt(h, 16).toString(16));
}
