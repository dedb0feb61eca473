/** Shared by simulators and adapters: no I/O here, so adapters can import it cheaply. */

/** The verification code in an SMS text: "123-456" style first, then a 4–8 digit run. */
export function extractCode(text: string): string | null {
  const split = /(?<!\d)(\d{3})[- ](\d{3})(?!\d)/.exec(text);
  if (split) return `${split[1]}${split[2]}`;
  const plain = /(?<!\d)(\d{4,8})(?!\d)/.exec(text);
  return plain?.[1] ?? null;
}
