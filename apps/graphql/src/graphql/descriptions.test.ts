import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildGraphQLSchema } from './build-schema.js';

/** Every type, field, argument and enum value of our own that has no description. */
async function undescribed(): Promise<string[]> {
  const schema = await buildGraphQLSchema();
  const missing: string[] = [];
  const has = (text: string | null | undefined) => typeof text === 'string' && text.trim() !== '';
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    const isRoot = ['Query', 'Mutation', 'Subscription'].includes(type.name);
    if (!isRoot && !has(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      const fields: Array<{
        name: string;
        description?: string | null | undefined;
        args?: ReadonlyArray<{ name: string; description?: string | null | undefined }>;
      }> = Object.values(type.getFields());
      for (const field of fields) {
        if (!has(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const argument of field.args ?? []) {
          if (!has(argument.description))
            missing.push(`${type.name}.${field.name}(${argument.name})`);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!has(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  return missing;
}

describe('the schema documents itself', () => {
  it('has a description on every type, field, argument and enum value', async () => {
    expect(await undescribed()).toEqual([]);
  });
});
