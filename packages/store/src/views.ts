import type { LedgerEntryKind, Money } from '@numbroker/core';

/** What the store hands out besides orders (orders/order-view.ts): plain data, never an
 *  entity, so no caller can save or lazily load through it. */

export interface UserView {
  id: string;
  name: string;
  isAdmin: boolean;
  createdAt: Date;
}

export interface WalletView {
  id: string;
  userId: string;
  currency: string;
  availableMinor: bigint;
  heldMinor: bigint;
  updatedAt: Date;
}

export interface LedgerEntryView {
  id: string;
  walletId: string;
  kind: LedgerEntryKind;
  amountMinor: bigint;
  orderId: string | null;
  reference: string;
  createdAt: Date;
}

export interface OfferView {
  providerId: string;
  service: string;
  country: string;
  /** null: any operator. */
  operator: string | null;
  cost: Money;
  stock: number;
  ref: string;
  updatedAt: Date;
}

export interface ProviderStateView {
  providerId: string;
  healthy: boolean;
  consecutiveFailures: number;
  breakerOpenUntil: Date | null;
  balance: Money | null;
  lastError: string | null;
  updatedAt: Date;
}
