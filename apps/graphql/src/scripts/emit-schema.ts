import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildGraphQLSchema } from '../graphql/build-schema.js';
import { printSchemaFile } from '../graphql/print-schema.js';

/** Writes apps/graphql/schema.graphql from the type-graphql classes (run from dist: tsx would
 *  drop the decorator metadata type-graphql needs). */
const target = fileURLToPath(new URL('../../schema.graphql', import.meta.url));
writeFileSync(target, printSchemaFile(await buildGraphQLSchema()));
process.stdout.write(`wrote ${target}\n`);
