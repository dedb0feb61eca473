import { readFileSync } from 'node:fs';

/** A fixture file's text exactly as taken from the doc (fixtures/*.txt, never reformatted). */
export function fixtureText(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}.txt`, import.meta.url), 'utf8').trim();
}

/** A doc request line ("https://api.sms-man.com/control/get-sms?token=$token&request_id=...")
 *  as the endpoint and its parameters, each `$name` replaced from `values`. */
export function fixtureRequest(
  endpoint: string,
  values: Record<string, string>,
): { endpoint: string; params: URLSearchParams } {
  const url = new URL(fixtureText(`${endpoint}.request`));
  const params = new URLSearchParams();
  for (const [name, template] of url.searchParams) {
    const value = template.replace(
      /^\$(\w+)$/,
      (whole, variable: string) => values[variable] ?? whole,
    );
    params.set(name, value);
  }
  return { endpoint: url.pathname.replace(/^\/control\//, ''), params };
}
