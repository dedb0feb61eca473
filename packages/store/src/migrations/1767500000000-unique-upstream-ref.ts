import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One upstream activation belongs to at most one order: two orders sharing one would capture
 * one SMS twice and show one customer another's code. (provider_id, upstream_ref) becomes
 * unique (NULLs — orders not bought yet — stay free). On a database that already holds such a
 * pair this migration fails and names the index: those orders need an operator first.
 */
export class UniqueUpstreamRef1767500000000 implements MigrationInterface {
  name = 'UniqueUpstreamRef1767500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_orders_provider_upstream_ref"');
    await queryRunner.query(
      'CREATE UNIQUE INDEX "UQ_orders_provider_upstream_ref" ON "orders" ("provider_id", "upstream_ref")',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "UQ_orders_provider_upstream_ref"');
    await queryRunner.query(
      'CREATE INDEX "IDX_orders_provider_upstream_ref" ON "orders" ("provider_id", "upstream_ref")',
    );
  }
}
