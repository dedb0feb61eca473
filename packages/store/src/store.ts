import type { CurrencyCode } from '@numbroker/core';
import { AdminStatsStore } from './admin-stats-store.js';
import { AdminStore } from './admin-store.js';
import { ApiKeyStore } from './api-key-store.js';
import { AuditStore } from './audit-store.js';
import { ActivationIdStore } from './activation-id-store.js';
import { Database, type DataSourceOptions } from './database.js';
import { MoneyMovements } from './money-movements.js';
import { OfferStore } from './offer-store.js';
import { OrderStore } from './orders/order-store.js';
import { ProviderStateStore } from './provider-state-store.js';
import { RouteOutcomeStore } from './route-outcome-store.js';
import { UserStore } from './user-store.js';
import { WebhookStore } from './webhook-store.js';

export interface StoreOptions extends DataSourceOptions {
  /** The platform currency (config `currency`): users' wallets are in it. */
  currency: CurrencyCode;
}

/** Every repository over one database connection (pool). */
export class Store {
  readonly users: UserStore;
  readonly orders: OrderStore;
  readonly offers: OfferStore;
  readonly providers: ProviderStateStore;
  readonly stats: AdminStatsStore;
  readonly apiKeys: ApiKeyStore;
  readonly admin: AdminStore;
  readonly audit: AuditStore;
  readonly webhooks: WebhookStore;
  readonly activationIds: ActivationIdStore;
  /** What success-rate routing learns from. */
  readonly routeOutcomes: RouteOutcomeStore;
  /** Every committed wallet change of this process, for logs and metrics. */
  readonly moneyMovements = new MoneyMovements();

  constructor(
    readonly db: Database,
    readonly currency: CurrencyCode,
  ) {
    this.users = new UserStore(db, currency, this.moneyMovements);
    this.orders = new OrderStore(db, this.moneyMovements);
    this.offers = new OfferStore(db);
    this.providers = new ProviderStateStore(db);
    this.stats = new AdminStatsStore(db);
    this.apiKeys = new ApiKeyStore(db);
    this.admin = new AdminStore(db, currency);
    this.audit = new AuditStore(db);
    this.webhooks = new WebhookStore(db);
    this.activationIds = new ActivationIdStore(db);
    this.routeOutcomes = new RouteOutcomeStore(db);
  }

  /** Connects to `databaseUrl` (config `database`) and runs pending migrations. */
  static async open(databaseUrl: string, options: StoreOptions): Promise<Store> {
    const { currency, ...dataSourceOptions } = options;
    return new Store(await Database.open(databaseUrl, dataSourceOptions), currency);
  }

  /** Which engine: SQLite or Postgres. */
  get kind(): 'sqlite' | 'postgres' {
    return this.db.kind;
  }

  /** False once closed. */
  get isOpen(): boolean {
    return this.db.dataSource.isInitialized;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
