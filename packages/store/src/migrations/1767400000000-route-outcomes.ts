import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Success-rate routing reads the orders that ended recently (RouteOutcomeStore). A partial
 * index over only the outcome statuses keeps that read a short index-only range scan, and
 * leaves the buy path (PENDING and ACTIVE rows) without one more index to write. The same
 * SQL on both engines.
 */
export class RouteOutcomes1767400000000 implements MigrationInterface {
  name = 'RouteOutcomes1767400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX "IDX_orders_outcome_updated" ON "orders" ("updated_at", "provider_id", "service", "country", "status", "created_at") WHERE "status" IN ('CODE_RECEIVED', 'COMPLETED', 'REPORTED', 'EXPIRED', 'CANCELLED')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX "IDX_orders_outcome_updated"');
  }
}
