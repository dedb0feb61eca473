/** A JSON number written from its decimal text, never through a JS float: money and ids keep
 *  every digit. */
export class JsonNumber {
  private constructor(readonly text: string) {}

  static of(text: string): JsonNumber {
    if (!/^-?(0|[1-9]\d*)(\.\d+)?$/.test(text)) {
      throw new TypeError(`"${text}" is not a decimal JSON number`);
    }
    return new JsonNumber(text);
  }

  static ofInteger(value: number | bigint): JsonNumber {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new TypeError(`${value} is not a safe integer`);
    }
    return new JsonNumber(value.toString());
  }
}

export type JsonValue =
  | string
  | boolean
  | null
  | JsonNumber
  | readonly JsonValue[]
  | ReadonlyMap<string, JsonValue>
  | { readonly [key: string]: JsonValue };

/** Compact JSON. Maps keep their insertion order (plain objects put integer-like keys first). */
export function writeJson(value: JsonValue): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (value instanceof JsonNumber) return value.text;
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(writeJson).join(',')}]`;
  const entries =
    value instanceof Map
      ? [...(value as ReadonlyMap<string, JsonValue>)]
      : Object.entries(value as { readonly [key: string]: JsonValue });
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${writeJson(item)}`).join(',')}}`;
}
