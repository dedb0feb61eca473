// The query text is the document codegen reads, so generated.ts types exactly what it asks for.
import adminStatsDocument from './graphql/admin-stats.graphql?raw';

export const ADMIN_STATS: string = adminStatsDocument;
