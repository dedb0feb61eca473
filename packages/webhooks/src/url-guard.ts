import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** A webhook URL refused (syntax, scheme, or where it points). The message names why. */
export class WebhookUrlRefused extends Error {
  override readonly name = 'WebhookUrlRefused';
  readonly code = 'WEBHOOK_URL_REFUSED';
}

const MAX_URL_LENGTH = 2000;

/** Only globally routable unicast addresses: no loopback, private, link-local, CGNAT,
 *  multicast, reserved, documentation or unspecified ranges (IPv4-mapped IPv6 checked as the
 *  IPv4 it carries). */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() === 'unicast';
}

/** Checks a URL's form: http or https, no credentials, a host, at most 2000 characters. Where
 *  it points is checked at each delivery (names can change what they resolve to). */
export function parseWebhookUrl(text: string): URL {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_URL_LENGTH) {
    throw new WebhookUrlRefused(`a webhook URL must be 1 to ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlRefused('the webhook URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WebhookUrlRefused(`a webhook URL must be http or https, not "${url.protocol}"`);
  }
  if (url.username || url.password) {
    throw new WebhookUrlRefused('a webhook URL must not carry credentials');
  }
  if (!url.hostname) throw new WebhookUrlRefused('the webhook URL has no host');
  return url;
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets.
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Resolves the URL's host and refuses it unless every address is public (or private ones are
 *  allowed): for createWebhookEndpoint, so a mistake is reported at once. */
export async function checkWebhookUrl(
  text: string,
  options: { allowPrivate: boolean },
): Promise<URL> {
  const url = parseWebhookUrl(text);
  if (options.allowPrivate) return url;
  const host = hostOf(url);
  const addresses = isIP(host)
    ? [host]
    : await new Promise<string[]>((resolve, reject) =>
        dnsLookup(host, { all: true }, (error, found: LookupAddress[]) =>
          error
            ? reject(new WebhookUrlRefused(`the webhook host "${host}" does not resolve`))
            : resolve(found.map((a) => a.address)),
        ),
      );
  const refused = addresses.find((address) => !isPublicAddress(address));
  if (refused !== undefined || addresses.length === 0) {
    throw new WebhookUrlRefused(
      `the webhook host "${host}" points at a private or loopback address (${refused ?? 'none'}); only public addresses are allowed`,
    );
  }
  return url;
}

/**
 * A `lookup` for http(s).request that refuses non-public addresses: the check happens on the
 * very address the socket connects to, so a name that resolved to a public address at
 * registration and to 127.0.0.1 now (DNS rebinding) is still refused.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const usable = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0) {
        return callback(
          new WebhookUrlRefused(`"${hostname}" resolves only to private or loopback addresses`),
          '',
          0,
        );
      }
      if (options.all) return callback(null, usable);
      const first = usable[0]!;
      return callback(null, first.address, first.family);
    });
  };
}

/** For a URL whose host is an IP literal (no lookup happens): the same rule. */
export function checkLiteralHost(url: URL, allowPrivate: boolean): void {
  const host = hostOf(url);
  if (!allowPrivate && isIP(host) && !isPublicAddress(host)) {
    throw new WebhookUrlRefused(`${host} is a private or loopback address`);
  }
}
