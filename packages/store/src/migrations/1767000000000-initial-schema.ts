import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole schema, generated once from the entities with TypeORM's schema builder on each
 * database and committed (migration.test.ts proves that running it leaves the builder nothing to
 * do). Money and timestamps are bigint (minor units, epoch milliseconds); order_events.id is the
 * outbox cursor, so it auto-increments (BIGSERIAL / INTEGER PRIMARY KEY AUTOINCREMENT).
 */
export class InitialSchema1767000000000 implements MigrationInterface {
  name = 'InitialSchema1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = queryRunner.connection.options.type === 'postgres' ? POSTGRES_UP : SQLITE_UP;
    for (const statement of statements) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await queryRunner.query(`DROP TABLE "${table}"`);
  }
}

/** In creation order: a table comes after the ones it references. */
const TABLES = [
  'users',
  'wallets',
  'orders',
  'ledger_entries',
  'sms_messages',
  'order_events',
  'upstream_attempts',
  'offers',
  'provider_state',
  'idempotency_keys',
];

const SQLITE_UP = [
  'CREATE TABLE "users" ("id" varchar(36) PRIMARY KEY NOT NULL, "name" varchar(200) NOT NULL, "api_key_hash" varchar(64) NOT NULL, "is_admin" boolean NOT NULL DEFAULT (0), "created_at" bigint NOT NULL, CONSTRAINT "UQ_249dd0446292ecf28e3d1e7cc4c" UNIQUE ("api_key_hash"))',
  'CREATE TABLE "wallets" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "currency" varchar(8) NOT NULL, "available_minor" bigint NOT NULL DEFAULT (0), "held_minor" bigint NOT NULL DEFAULT (0), "version" integer NOT NULL DEFAULT (0), "updated_at" bigint NOT NULL, CONSTRAINT "CHK_wallets_held_not_negative" CHECK (held_minor >= 0), CONSTRAINT "CHK_wallets_available_not_negative" CHECK (available_minor >= 0), CONSTRAINT "FK_92558c08091598f7a4439586cda" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE UNIQUE INDEX "UQ_wallets_user_currency" ON "wallets" ("user_id", "currency")',
  'CREATE TABLE "orders" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "status" varchar(16) NOT NULL, "service" varchar(64) NOT NULL, "country" varchar(8) NOT NULL, "operator" varchar(64), "provider_id" varchar(64), "upstream_ref" varchar(128), "phone_number" varchar(32), "price_minor" bigint NOT NULL, "currency" varchar(8) NOT NULL, "cost_minor" bigint, "cost_currency" varchar(8), "idempotency_key" varchar(200), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "next_poll_at" bigint, "poll_count" integer NOT NULL DEFAULT (0), "lease_owner" varchar(128), "lease_until" bigint, "version" integer NOT NULL DEFAULT (0), "failure_reason" varchar(500), CONSTRAINT "FK_a922b820eeef29ac1c6800e826a" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE INDEX "IDX_orders_provider_upstream_ref" ON "orders" ("provider_id", "upstream_ref")',
  'CREATE INDEX "IDX_orders_status_next_poll" ON "orders" ("status", "next_poll_at")',
  'CREATE INDEX "IDX_orders_user_created" ON "orders" ("user_id", "created_at")',
  'CREATE TABLE "ledger_entries" ("id" varchar(36) PRIMARY KEY NOT NULL, "wallet_id" varchar(36) NOT NULL, "kind" varchar(16) NOT NULL, "amount_minor" bigint NOT NULL, "order_id" varchar(36), "reference" varchar(200) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "CHK_ledger_entries_amount_positive" CHECK (amount_minor > 0), CONSTRAINT "FK_bb5cd6d7046b98d8faabe9c18fe" FOREIGN KEY ("wallet_id") REFERENCES "wallets" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION, CONSTRAINT "FK_d929e48320de9fe7f6ed47478f0" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE UNIQUE INDEX "UQ_ledger_entries_wallet_kind_reference" ON "ledger_entries" ("wallet_id", "kind", "reference")',
  'CREATE UNIQUE INDEX "UQ_ledger_entries_order_kind" ON "ledger_entries" ("order_id", "kind")',
  'CREATE TABLE "sms_messages" ("id" varchar(36) PRIMARY KEY NOT NULL, "order_id" varchar(36) NOT NULL, "code" varchar(64), "text" text, "received_at" bigint NOT NULL, "dedupe_key" varchar(64) NOT NULL, CONSTRAINT "FK_de23d3738a8f8edfd84322411bf" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE UNIQUE INDEX "UQ_sms_messages_order_dedupe" ON "sms_messages" ("order_id", "dedupe_key")',
  'CREATE TABLE "order_events" ("id" integer PRIMARY KEY AUTOINCREMENT NOT NULL, "order_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "type" varchar(32) NOT NULL, "payload" text NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "FK_b33cbf9a59cbee112d94bcb59de" FOREIGN KEY ("order_id") REFERENCES "orders" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE INDEX "IDX_order_events_user" ON "order_events" ("user_id", "id")',
  'CREATE INDEX "IDX_order_events_order" ON "order_events" ("order_id")',
  'CREATE TABLE "upstream_attempts" ("id" varchar(36) PRIMARY KEY NOT NULL, "order_id" varchar(36), "provider_id" varchar(64) NOT NULL, "operation" varchar(32) NOT NULL, "outcome" varchar(16) NOT NULL, "error_code" varchar(64), "duration_ms" integer NOT NULL, "created_at" bigint NOT NULL)',
  'CREATE INDEX "IDX_upstream_attempts_order" ON "upstream_attempts" ("order_id")',
  'CREATE INDEX "IDX_upstream_attempts_provider_created" ON "upstream_attempts" ("provider_id", "created_at")',
  'CREATE TABLE "offers" ("id" varchar(36) PRIMARY KEY NOT NULL, "provider_id" varchar(64) NOT NULL, "service" varchar(64) NOT NULL, "country" varchar(8) NOT NULL, "operator" varchar(64) NOT NULL DEFAULT (\'\'), "cost_minor" bigint NOT NULL, "cost_currency" varchar(8) NOT NULL, "stock" integer NOT NULL, "ref" varchar(128) NOT NULL, "updated_at" bigint NOT NULL)',
  'CREATE INDEX "IDX_offers_service_country" ON "offers" ("service", "country")',
  'CREATE UNIQUE INDEX "UQ_offers_product" ON "offers" ("provider_id", "service", "country", "operator", "ref")',
  'CREATE TABLE "provider_state" ("provider_id" varchar(64) PRIMARY KEY NOT NULL, "healthy" boolean NOT NULL DEFAULT (1), "consecutive_failures" integer NOT NULL DEFAULT (0), "breaker_open_until" bigint, "balance_minor" bigint, "balance_currency" varchar(8), "last_error" varchar(500), "updated_at" bigint NOT NULL)',
  'CREATE TABLE "idempotency_keys" ("user_id" varchar(36) NOT NULL, "idempotency_key" varchar(200) NOT NULL, "order_id" varchar(36) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "FK_4d2181624ba2d61e76a07175198" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION, PRIMARY KEY ("user_id", "idempotency_key"))',
];

const POSTGRES_UP = [
  'CREATE TABLE "users" ("id" character varying(36) NOT NULL, "name" character varying(200) NOT NULL, "api_key_hash" character varying(64) NOT NULL, "is_admin" boolean NOT NULL DEFAULT false, "created_at" bigint NOT NULL, CONSTRAINT "UQ_249dd0446292ecf28e3d1e7cc4c" UNIQUE ("api_key_hash"), CONSTRAINT "PK_a3ffb1c0c8416b9fc6f907b7433" PRIMARY KEY ("id"))',
  'CREATE TABLE "idempotency_keys" ("user_id" character varying(36) NOT NULL, "idempotency_key" character varying(200) NOT NULL, "order_id" character varying(36) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_7638cc418338a9a465d4423380a" PRIMARY KEY ("user_id", "idempotency_key"))',
  'CREATE TABLE "orders" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "status" character varying(16) NOT NULL, "service" character varying(64) NOT NULL, "country" character varying(8) NOT NULL, "operator" character varying(64), "provider_id" character varying(64), "upstream_ref" character varying(128), "phone_number" character varying(32), "price_minor" bigint NOT NULL, "currency" character varying(8) NOT NULL, "cost_minor" bigint, "cost_currency" character varying(8), "idempotency_key" character varying(200), "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "expires_at" bigint NOT NULL, "next_poll_at" bigint, "poll_count" integer NOT NULL DEFAULT \'0\', "lease_owner" character varying(128), "lease_until" bigint, "version" integer NOT NULL DEFAULT \'0\', "failure_reason" character varying(500), CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_orders_provider_upstream_ref" ON "orders" ("provider_id", "upstream_ref")',
  'CREATE INDEX "IDX_orders_status_next_poll" ON "orders" ("status", "next_poll_at")',
  'CREATE INDEX "IDX_orders_user_created" ON "orders" ("user_id", "created_at")',
  'CREATE TABLE "wallets" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "currency" character varying(8) NOT NULL, "available_minor" bigint NOT NULL DEFAULT \'0\', "held_minor" bigint NOT NULL DEFAULT \'0\', "version" integer NOT NULL DEFAULT \'0\', "updated_at" bigint NOT NULL, CONSTRAINT "CHK_wallets_held_not_negative" CHECK (held_minor >= 0), CONSTRAINT "CHK_wallets_available_not_negative" CHECK (available_minor >= 0), CONSTRAINT "PK_8402e5df5a30a229380e83e4f7e" PRIMARY KEY ("id"))',
  'CREATE UNIQUE INDEX "UQ_wallets_user_currency" ON "wallets" ("user_id", "currency")',
  'CREATE TABLE "ledger_entries" ("id" character varying(36) NOT NULL, "wallet_id" character varying(36) NOT NULL, "kind" character varying(16) NOT NULL, "amount_minor" bigint NOT NULL, "order_id" character varying(36), "reference" character varying(200) NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "CHK_ledger_entries_amount_positive" CHECK (amount_minor > 0), CONSTRAINT "PK_6efcb84411d3f08b08450ae75d5" PRIMARY KEY ("id"))',
  'CREATE UNIQUE INDEX "UQ_ledger_entries_wallet_kind_reference" ON "ledger_entries" ("wallet_id", "kind", "reference")',
  'CREATE UNIQUE INDEX "UQ_ledger_entries_order_kind" ON "ledger_entries" ("order_id", "kind")',
  'CREATE TABLE "offers" ("id" character varying(36) NOT NULL, "provider_id" character varying(64) NOT NULL, "service" character varying(64) NOT NULL, "country" character varying(8) NOT NULL, "operator" character varying(64) NOT NULL DEFAULT \'\', "cost_minor" bigint NOT NULL, "cost_currency" character varying(8) NOT NULL, "stock" integer NOT NULL, "ref" character varying(128) NOT NULL, "updated_at" bigint NOT NULL, CONSTRAINT "PK_4c88e956195bba85977da21b8f4" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_offers_service_country" ON "offers" ("service", "country")',
  'CREATE UNIQUE INDEX "UQ_offers_product" ON "offers" ("provider_id", "service", "country", "operator", "ref")',
  'CREATE TABLE "order_events" ("id" SERIAL NOT NULL, "order_id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "type" character varying(32) NOT NULL, "payload" text NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_cc1b82b0fcf1be577d9d7ecbf8b" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_order_events_user" ON "order_events" ("user_id", "id")',
  'CREATE INDEX "IDX_order_events_order" ON "order_events" ("order_id")',
  'CREATE TABLE "provider_state" ("provider_id" character varying(64) NOT NULL, "healthy" boolean NOT NULL DEFAULT true, "consecutive_failures" integer NOT NULL DEFAULT \'0\', "breaker_open_until" bigint, "balance_minor" bigint, "balance_currency" character varying(8), "last_error" character varying(500), "updated_at" bigint NOT NULL, CONSTRAINT "PK_2ec2fd7700498550f158adc925a" PRIMARY KEY ("provider_id"))',
  'CREATE TABLE "sms_messages" ("id" character varying(36) NOT NULL, "order_id" character varying(36) NOT NULL, "code" character varying(64), "text" text, "received_at" bigint NOT NULL, "dedupe_key" character varying(64) NOT NULL, CONSTRAINT "PK_6d4cfef86e93e3fde23954d11bc" PRIMARY KEY ("id"))',
  'CREATE UNIQUE INDEX "UQ_sms_messages_order_dedupe" ON "sms_messages" ("order_id", "dedupe_key")',
  'CREATE TABLE "upstream_attempts" ("id" character varying(36) NOT NULL, "order_id" character varying(36), "provider_id" character varying(64) NOT NULL, "operation" character varying(32) NOT NULL, "outcome" character varying(16) NOT NULL, "error_code" character varying(64), "duration_ms" integer NOT NULL, "created_at" bigint NOT NULL, CONSTRAINT "PK_639a358ef740cb5448b0090a413" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_upstream_attempts_order" ON "upstream_attempts" ("order_id")',
  'CREATE INDEX "IDX_upstream_attempts_provider_created" ON "upstream_attempts" ("provider_id", "created_at")',
  'ALTER TABLE "idempotency_keys" ADD CONSTRAINT "FK_4d2181624ba2d61e76a07175198" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "orders" ADD CONSTRAINT "FK_a922b820eeef29ac1c6800e826a" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "wallets" ADD CONSTRAINT "FK_92558c08091598f7a4439586cda" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "ledger_entries" ADD CONSTRAINT "FK_bb5cd6d7046b98d8faabe9c18fe" FOREIGN KEY ("wallet_id") REFERENCES "wallets"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "ledger_entries" ADD CONSTRAINT "FK_d929e48320de9fe7f6ed47478f0" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "order_events" ADD CONSTRAINT "FK_b33cbf9a59cbee112d94bcb59de" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "sms_messages" ADD CONSTRAINT "FK_de23d3738a8f8edfd84322411bf" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
];
