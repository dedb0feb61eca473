import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every order gets a durable numeric `activation_id` of its own, for the SMS-Activate endpoint
 * (whose clients parse activation ids as integers). Until now it was the id of the order's
 * ORDER_CREATED outbox event, which retention may prune: existing orders keep exactly that
 * number (backfilled), new ones take the next one, assigned by the database on insert (a
 * trigger, so no code path that writes an order can forget it). Never reused: orders are not
 * deleted, and Postgres draws from a sequence.
 */
export class ActivationIds1767200000000 implements MigrationInterface {
  name = 'ActivationIds1767200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? POSTGRES_UP : SQLITE_UP) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? POSTGRES_DOWN : SQLITE_DOWN) {
      await queryRunner.query(statement);
    }
  }
}

const BACKFILL = `UPDATE "orders" SET "activation_id" = (SELECT MIN(e."id") FROM "order_events" e
  WHERE e."order_id" = "orders"."id" AND e."type" = 'ORDER_CREATED')`;

const SQLITE_UP = [
  'ALTER TABLE "orders" ADD COLUMN "activation_id" bigint',
  BACKFILL,
  // An order without its creation event (none should exist) still gets a fresh number.
  `UPDATE "orders" SET "activation_id" = (SELECT COALESCE(MAX(o."activation_id"), 0) FROM "orders" o)
     + (SELECT COUNT(*) FROM "orders" p WHERE p."activation_id" IS NULL AND p."id" <= "orders"."id")
   WHERE "activation_id" IS NULL`,
  'CREATE UNIQUE INDEX "UQ_orders_activation_id" ON "orders" ("activation_id")',
  // Writers are serialized on SQLite, so MAX + 1 (one index lookup) cannot hand a number out twice.
  `CREATE TRIGGER "TRG_orders_activation_id" AFTER INSERT ON "orders"
   FOR EACH ROW WHEN NEW."activation_id" IS NULL
   BEGIN
     UPDATE "orders" SET "activation_id" = (SELECT COALESCE(MAX("activation_id"), 0) + 1 FROM "orders")
     WHERE "id" = NEW."id";
   END`,
];

const SQLITE_DOWN = [
  'DROP TRIGGER "TRG_orders_activation_id"',
  'DROP INDEX "UQ_orders_activation_id"',
  'ALTER TABLE "orders" DROP COLUMN "activation_id"',
];

const POSTGRES_UP = [
  'ALTER TABLE "orders" ADD "activation_id" bigint',
  BACKFILL,
  'CREATE SEQUENCE "orders_activation_id_seq" AS bigint',
  `SELECT setval('orders_activation_id_seq', GREATEST(
     (SELECT COALESCE(MAX("activation_id"), 0) FROM "orders"),
     (SELECT COALESCE(MAX("id"), 0) FROM "order_events"), 1))`,
  `UPDATE "orders" SET "activation_id" = nextval('orders_activation_id_seq') WHERE "activation_id" IS NULL`,
  'CREATE UNIQUE INDEX "UQ_orders_activation_id" ON "orders" ("activation_id")',
  `CREATE FUNCTION "numbroker_orders_activation_id"() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW."activation_id" IS NULL THEN NEW."activation_id" := nextval('orders_activation_id_seq'); END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER "TRG_orders_activation_id" BEFORE INSERT ON "orders"
   FOR EACH ROW EXECUTE FUNCTION "numbroker_orders_activation_id"()`,
];

const POSTGRES_DOWN = [
  'DROP TRIGGER "TRG_orders_activation_id" ON "orders"',
  'DROP FUNCTION "numbroker_orders_activation_id"()',
  'DROP INDEX "UQ_orders_activation_id"',
  'DROP SEQUENCE "orders_activation_id_seq"',
  'ALTER TABLE "orders" DROP COLUMN "activation_id"',
];
