import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The reseller's console (issue 11): named API keys, disabled users, the audit log, customer
 * webhooks and the shared counters. Generated from the entities with TypeORM's schema builder on
 * each database (SQLite: the final tables written at once, and users gets its column with ADD
 * COLUMN instead of a table rebuild, which the foreign keys to users would refuse). Every
 * existing user keeps its key as a key named "default"; the webhook fan-out starts after the
 * newest order event, so existing history is not announced.
 */
export class ResellerConsole1767100000000 implements MigrationInterface {
  name = 'ResellerConsole1767100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const postgres = queryRunner.connection.options.type === 'postgres';
    for (const statement of postgres ? POSTGRES_UP : SQLITE_UP) await queryRunner.query(statement);
    await queryRunner.query(
      `INSERT INTO "api_keys" ("id", "user_id", "name", "key_hash", "created_at", "revoked_at")
       SELECT "id", "id", 'default', "api_key_hash", "created_at", NULL FROM "users"`,
    );
    await queryRunner.query(
      `INSERT INTO "counters" ("name", "value")
       SELECT 'webhook_fanout_cursor', COALESCE(MAX("id"), 0) FROM "order_events"`,
    );
    await queryRunner.query(
      `INSERT INTO "counters" ("name", "value") VALUES ('auth_generation', 0)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'webhook_deliveries',
      'webhook_endpoints',
      'counters',
      'audit_log',
      'api_keys',
    ]) {
      await queryRunner.query(`DROP TABLE "${table}"`);
    }
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "disabled_at"`);
  }
}

const SQLITE_UP = [
  'ALTER TABLE "users" ADD COLUMN "disabled_at" bigint',
  'CREATE TABLE "api_keys" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "name" varchar(100) NOT NULL, "key_hash" varchar(64) NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint, CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE INDEX "IDX_api_keys_user" ON "api_keys" ("user_id", "created_at") ',
  'CREATE TABLE "audit_log" ("id" varchar(36) PRIMARY KEY NOT NULL, "actor_id" varchar(36) NOT NULL, "actor_name" varchar(200) NOT NULL, "action" varchar(32) NOT NULL, "target_type" varchar(32) NOT NULL, "target_id" varchar(64) NOT NULL, "amount_minor" bigint, "currency" varchar(8), "reference" varchar(200), "note" varchar(500), "created_at" bigint NOT NULL)',
  'CREATE UNIQUE INDEX "UQ_audit_log_action_target_reference" ON "audit_log" ("action", "target_id", "reference") ',
  'CREATE INDEX "IDX_audit_log_target" ON "audit_log" ("target_id", "created_at") ',
  'CREATE INDEX "IDX_audit_log_created" ON "audit_log" ("created_at", "id") ',
  'CREATE TABLE "counters" ("name" varchar(64) PRIMARY KEY NOT NULL, "value" bigint NOT NULL)',
  'CREATE TABLE "webhook_endpoints" ("id" varchar(36) PRIMARY KEY NOT NULL, "user_id" varchar(36) NOT NULL, "url" varchar(2000) NOT NULL, "events" text NOT NULL, "secret_sealed" varchar(500) NOT NULL, "enabled" boolean NOT NULL DEFAULT (1), "created_at" bigint NOT NULL, "deleted_at" bigint, CONSTRAINT "FK_1f1a98a1a1faabacca9aff7ab6e" FOREIGN KEY ("user_id") REFERENCES "users" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE INDEX "IDX_webhook_endpoints_user" ON "webhook_endpoints" ("user_id", "created_at") ',
  'CREATE TABLE "webhook_deliveries" ("id" varchar(36) PRIMARY KEY NOT NULL, "endpoint_id" varchar(36) NOT NULL, "user_id" varchar(36) NOT NULL, "event_id" integer NOT NULL, "type" varchar(32) NOT NULL, "payload" text NOT NULL, "status" varchar(16) NOT NULL, "attempts" integer NOT NULL DEFAULT (0), "schedule_step" integer NOT NULL DEFAULT (0), "last_status_code" integer, "last_error" varchar(500), "next_attempt_at" bigint, "lease_owner" varchar(128), "lease_until" bigint, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "delivered_at" bigint, CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints" ("id") ON DELETE NO ACTION ON UPDATE NO ACTION)',
  'CREATE INDEX "IDX_webhook_deliveries_endpoint_created" ON "webhook_deliveries" ("endpoint_id", "created_at") ',
  'CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at") ',
  'CREATE UNIQUE INDEX "UQ_webhook_deliveries_endpoint_event_type" ON "webhook_deliveries" ("endpoint_id", "event_id", "type") ',
];

const POSTGRES_UP = [
  'CREATE TABLE "api_keys" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "name" character varying(100) NOT NULL, "key_hash" character varying(64) NOT NULL, "created_at" bigint NOT NULL, "revoked_at" bigint, CONSTRAINT "UQ_57384430aa1959f4578046c9b81" UNIQUE ("key_hash"), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_api_keys_user" ON "api_keys" ("user_id", "created_at") ',
  'CREATE TABLE "audit_log" ("id" character varying(36) NOT NULL, "actor_id" character varying(36) NOT NULL, "actor_name" character varying(200) NOT NULL, "action" character varying(32) NOT NULL, "target_type" character varying(32) NOT NULL, "target_id" character varying(64) NOT NULL, "amount_minor" bigint, "currency" character varying(8), "reference" character varying(200), "note" character varying(500), "created_at" bigint NOT NULL, CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))',
  'CREATE UNIQUE INDEX "UQ_audit_log_action_target_reference" ON "audit_log" ("action", "target_id", "reference") ',
  'CREATE INDEX "IDX_audit_log_target" ON "audit_log" ("target_id", "created_at") ',
  'CREATE INDEX "IDX_audit_log_created" ON "audit_log" ("created_at", "id") ',
  'CREATE TABLE "counters" ("name" character varying(64) NOT NULL, "value" bigint NOT NULL, CONSTRAINT "PK_6a570b781e5dc263d6db32bda31" PRIMARY KEY ("name"))',
  'CREATE TABLE "webhook_endpoints" ("id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "url" character varying(2000) NOT NULL, "events" text NOT NULL, "secret_sealed" character varying(500) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_at" bigint NOT NULL, "deleted_at" bigint, CONSTRAINT "PK_054c4cfb95223732f5939d2d546" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_webhook_endpoints_user" ON "webhook_endpoints" ("user_id", "created_at") ',
  'CREATE TABLE "webhook_deliveries" ("id" character varying(36) NOT NULL, "endpoint_id" character varying(36) NOT NULL, "user_id" character varying(36) NOT NULL, "event_id" integer NOT NULL, "type" character varying(32) NOT NULL, "payload" text NOT NULL, "status" character varying(16) NOT NULL, "attempts" integer NOT NULL DEFAULT \'0\', "schedule_step" integer NOT NULL DEFAULT \'0\', "last_status_code" integer, "last_error" character varying(500), "next_attempt_at" bigint, "lease_owner" character varying(128), "lease_until" bigint, "created_at" bigint NOT NULL, "updated_at" bigint NOT NULL, "delivered_at" bigint, CONSTRAINT "PK_535dd409947fb6d8fc6dfc0112a" PRIMARY KEY ("id"))',
  'CREATE INDEX "IDX_webhook_deliveries_endpoint_created" ON "webhook_deliveries" ("endpoint_id", "created_at") ',
  'CREATE INDEX "IDX_webhook_deliveries_due" ON "webhook_deliveries" ("status", "next_attempt_at") ',
  'CREATE UNIQUE INDEX "UQ_webhook_deliveries_endpoint_event_type" ON "webhook_deliveries" ("endpoint_id", "event_id", "type") ',
  'ALTER TABLE "users" ADD "disabled_at" bigint',
  'ALTER TABLE "api_keys" ADD CONSTRAINT "FK_a3baee01d8408cd3c0f89a9a973" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "FK_1f1a98a1a1faabacca9aff7ab6e" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
  'ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "FK_0b882c26a9b91c26e6e86b4867c" FOREIGN KEY ("endpoint_id") REFERENCES "webhook_endpoints"("id") ON DELETE NO ACTION ON UPDATE NO ACTION',
];
