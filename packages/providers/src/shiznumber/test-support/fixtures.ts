import { readFileSync } from 'node:fs';
import JSON5 from 'json5';

/** The seed doc's examples are JSON with trailing commas (and "..." elisions kept as comments),
 *  so they are stored as .json5 and read with json5. */
export function loadFixture(name: string): unknown {
  const url = new URL(`../fixtures/${name}`, import.meta.url);
  const text = readFileSync(url, 'utf8');
  return name.endsWith('.json5') ? JSON5.parse<unknown>(text) : (JSON.parse(text) as unknown);
}

export interface DocErrorRow {
  endpoint: 'any' | 'buy' | 'order' | 'cancel' | 'report';
  method: string;
  path: string;
  status: number;
  message: string;
  meaning: string;
  seedLine: number;
}

export function docErrorRows(): DocErrorRow[] {
  return (loadFixture('errors.json') as { rows: DocErrorRow[] }).rows;
}

/** A value's shape: the same keys, each with its JSON type; arrays by their first element. */
export function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, inner]) => [key, shapeOf(inner)]),
    );
  }
  return typeof value;
}
