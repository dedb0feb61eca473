/**
 * A stateful fake of VerifyPlus, strict to its doc (seed 003): POST JSON `api/get_number` and
 * `api/get_sms` with the token in the body, GET `apiv2/get_available?country=` without one, the
 * doc's `{status, detail}` refusals with the same HTTP status, prices in toman charged per SMS
 * when get_sms first shows it, and no cancel call at all.
 *
 * It keeps its own tables, read from the doc independently of mapping.ts, so the adapter and the
 * fake cannot share one misreading. What the doc leaves open is listed in NOTES.md ("Simulator").
 */
import { Money } from '@numbroker/core';
import {
  SimulatorBase,
  SimulatorInputError,
  extractCode,
  type SimReply,
  type SimRequest,
} from '../simulator/harness.js';
import type { SimActivationView, SimOffer, SimulatorOptions } from '../simulator/types.js';

/** The doc's productId table, with the slug each product name is known by on our side. */
const SIM_PRODUCTS: ReadonlyArray<{ productId: string; name: string; slug: string }> = [
  { productId: '2', name: 'Telegram', slug: 'telegram' },
  { productId: '25', name: 'Instagram', slug: 'instagram' },
  { productId: '26', name: 'WhatsAPP', slug: 'whatsapp' },
  { productId: '27', name: 'Steam', slug: 'steam' },
  { productId: '28', name: 'LinkedIn', slug: 'linkedin' },
  { productId: '29', name: 'Twitter', slug: 'twitter' },
  { productId: '31', name: 'WebMoney', slug: 'webmoney' },
  { productId: '32', name: 'GMail', slug: 'google' },
];

/** The doc's country table (price per SMS in toman), with each ISO code and numbering plan. */
const SIM_COUNTRIES: ReadonlyArray<{
  code: string;
  iso: string;
  priceToman: string;
  dialingCode: string;
  nationalLength: number;
}> = [
  { code: 'RU', iso: 'RU', priceToman: '3000', dialingCode: '7', nationalLength: 10 },
  { code: 'KZ', iso: 'KZ', priceToman: '3000', dialingCode: '7', nationalLength: 10 },
  { code: 'UA', iso: 'UA', priceToman: '5000', dialingCode: '380', nationalLength: 9 },
  { code: 'UK', iso: 'GB', priceToman: '10000', dialingCode: '44', nationalLength: 10 },
  { code: 'ID', iso: 'ID', priceToman: '5000', dialingCode: '62', nationalLength: 10 },
  { code: 'PH', iso: 'PH', priceToman: '5000', dialingCode: '63', nationalLength: 10 },
  { code: 'LV', iso: 'LV', priceToman: '10000', dialingCode: '371', nationalLength: 8 },
];

/** The doc's refusals, verbatim. */
const REFUSALS = {
  invalidCountry: { status: 400, detail: 'Invalid country' },
  invalidToken: { status: 401, detail: 'Invalid token' },
  invalidProductId: { status: 400, detail: 'Invalid productId' },
  noNumber: { status: 409, detail: 'No number available! Please try again later' },
  insufficientBalance: { status: 402, detail: 'Insufficient balance. Please charge your account' },
  noSmsCode: { status: 409, detail: 'No sms code' },
  // Not in the doc (NOTES.md): a numberId it never gave, or given for another country/product…
  invalidNumberId: { status: 400, detail: 'Invalid numberId' },
  // …and one whose rental ran out before any SMS.
  numberExpired: { status: 410, detail: 'Number expired' },
} as const;

const CURRENCY = 'IRT';
const DEFAULT_STOCK = 50;
const DEFAULT_BALANCE = '1000000';
const FIRST_NUMBER_ID = 1_343_243; // the doc's example numberId

interface SimProductState {
  price: Money;
  stock: number;
}

interface SimMessage {
  text: string;
  charged: boolean;
}

interface SimActivation {
  numberId: string;
  country: string;
  productId: string;
  /** As the upstream answers it: digits with the calling code, no "+". */
  number: string;
  price: Money;
  state: 'waiting' | 'code' | 'expired';
  messages: SimMessage[];
  createdAt: number;
}

export class VerifyPlusSimulator extends SimulatorBase {
  /** The site root: the protocol lives in `api/…` and `apiv2/…` under it. */
  protected readonly mountPath = '/';

  private products = new Map<string, SimProductState>();
  private balanceToman = Money.parse(DEFAULT_BALANCE, CURRENCY);
  private readonly activations = new Map<string, SimActivation>();
  private nextNumberId = FIRST_NUMBER_ID;

  constructor(options: SimulatorOptions = {}) {
    super('verifyplus', options);
    this.resetState();
  }

  // ---- the protocol ----------------------------------------------------------------------------

  protected handle(req: SimRequest): SimReply {
    const route = `${req.method} ${req.subPath.replace(/\/+$/, '')}`;
    switch (route) {
      case 'POST api/get_number':
        return this.getNumber(req);
      case 'POST api/get_sms':
        return this.getSms(req);
      case 'GET apiv2/get_available':
        return this.getAvailable(req);
      default:
        return this.json({ detail: 'Not Found' }, 404);
    }
  }

  private getNumber(req: SimRequest): SimReply {
    const body = this.jsonBody(req);
    if (!body) return this.refuse({ status: 400, detail: 'Invalid JSON body' });
    const country = this.country(body.country);
    if (!country) return this.refuse(REFUSALS.invalidCountry);
    if (body.token !== this.apiKey) return this.refuse(REFUSALS.invalidToken);
    const productId = scalarText(body.productId);
    const product = SIM_PRODUCTS.find((candidate) => candidate.productId === productId);
    if (!product) return this.refuse(REFUSALS.invalidProductId);

    const state = this.products.get(productKey(country.code, product.productId));
    if (!state || state.stock <= 0) return this.refuse(REFUSALS.noNumber);
    state.stock -= 1;

    const numberId = String(this.nextNumberId++);
    const number = this.randomPhoneDigits(country.dialingCode, country.nationalLength);
    this.activations.set(numberId, {
      numberId,
      country: country.code,
      productId: product.productId,
      number,
      price: state.price,
      state: 'waiting',
      messages: [],
      createdAt: this.now(),
    });
    // No money moves here: VerifyPlus charges per SMS, at get_sms.
    this.scheduleAutoDelivery(numberId);
    return this.json({ number, numberId });
  }

  private getSms(req: SimRequest): SimReply {
    const body = this.jsonBody(req);
    if (!body) return this.refuse({ status: 400, detail: 'Invalid JSON body' });
    const country = this.country(body.country);
    if (!country) return this.refuse(REFUSALS.invalidCountry);
    if (body.token !== this.apiKey) return this.refuse(REFUSALS.invalidToken);
    const productId = scalarText(body.productId);
    if (!SIM_PRODUCTS.some((candidate) => candidate.productId === productId)) {
      return this.refuse(REFUSALS.invalidProductId);
    }
    const activation = this.activations.get(scalarText(body.numberId) ?? '');
    if (!activation || activation.country !== country.code || activation.productId !== productId) {
      return this.refuse(REFUSALS.invalidNumberId);
    }
    this.expireIfDue(activation);
    if (activation.state === 'expired') return this.refuse(REFUSALS.numberExpired);

    const latest = activation.messages.at(-1);
    if (!latest) return this.refuse(REFUSALS.noSmsCode);
    if (!latest.charged) {
      if (this.balanceToman.compare(activation.price) < 0) {
        return this.refuse(REFUSALS.insufficientBalance);
      }
      this.balanceToman = this.balanceToman.minus(activation.price);
      latest.charged = true;
    }
    // The doc's example answers the bare code ({"sms": "546533"}).
    return this.json({ sms: extractCode(latest.text) ?? latest.text });
  }

  private getAvailable(req: SimRequest): SimReply {
    const country = this.country(req.query.get('country'));
    if (!country) return this.refuse(REFUSALS.invalidCountry);
    // Numbers are per country; a product's stock is how many of them can still take it.
    let online = 0;
    for (const product of SIM_PRODUCTS) {
      const state = this.products.get(productKey(country.code, product.productId));
      online = Math.max(online, state?.stock ?? 0);
    }
    return this.json({ online: String(online) });
  }

  // ---- the control side ------------------------------------------------------------------------

  setOffer(offer: SimOffer): void {
    const product = SIM_PRODUCTS.find((candidate) => candidate.slug === offer.service);
    if (!product) throw new SimulatorInputError(`VerifyPlus sells no "${offer.service}"`);
    const country = SIM_COUNTRIES.find(
      (candidate) => candidate.iso === offer.country.toUpperCase(),
    );
    if (!country) throw new SimulatorInputError(`VerifyPlus has no country "${offer.country}"`);
    if (!Number.isSafeInteger(offer.stock) || offer.stock < 0) {
      throw new SimulatorInputError(`stock must be a non-negative integer, not ${offer.stock}`);
    }
    let price: Money;
    try {
      price = Money.parse(offer.cost, CURRENCY);
    } catch (error) {
      throw new SimulatorInputError(
        `cost: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.products.set(productKey(country.code, product.productId), { price, stock: offer.stock });
  }

  setBalance(amount: string): void {
    try {
      this.balanceToman = Money.parse(amount, CURRENCY);
    } catch (error) {
      throw new SimulatorInputError(
        `amount: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /** The account's balance in toman (the upstream shows it on its site only). */
  get balance(): string {
    return this.balanceToman.format();
  }

  deliverSms(upstreamRef: string, text: string): void {
    const activation = this.find(upstreamRef);
    if (!activation) throw new SimulatorInputError(`unknown activation "${upstreamRef}"`);
    this.expireIfDue(activation);
    if (activation.state === 'expired') {
      throw new SimulatorInputError(`activation "${upstreamRef}" has expired`);
    }
    activation.messages.push({ text, charged: false });
    activation.state = 'code';
  }

  expireActivation(upstreamRef: string): void {
    const activation = this.find(upstreamRef);
    if (!activation) throw new SimulatorInputError(`unknown activation "${upstreamRef}"`);
    if (activation.state === 'waiting') activation.state = 'expired';
  }

  protected upstreamRefs(): string[] {
    return [...this.activations.keys()].map(String);
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    const activation = this.find(upstreamRef);
    if (!activation) return undefined;
    this.expireIfDue(activation);
    return {
      ref: activation.numberId,
      phoneNumber: `+${activation.number}`,
      state: activation.state,
      messages: activation.messages.map((message) => message.text),
    };
  }

  protected resetState(): void {
    this.products = new Map();
    for (const country of SIM_COUNTRIES) {
      for (const product of SIM_PRODUCTS) {
        this.products.set(productKey(country.code, product.productId), {
          price: Money.parse(country.priceToman, CURRENCY),
          stock: DEFAULT_STOCK,
        });
      }
    }
    this.balanceToman = Money.parse(DEFAULT_BALANCE, CURRENCY);
    this.activations.clear();
    this.nextNumberId = FIRST_NUMBER_ID;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** By numberId, or by any ref that ends in ":<numberId>" (the adapter's "RU:2:1343243"). */
  private find(ref: string): SimActivation | undefined {
    return this.activations.get(ref) ?? this.activations.get(ref.slice(ref.lastIndexOf(':') + 1));
  }

  private expireIfDue(activation: SimActivation): void {
    if (
      activation.state === 'waiting' &&
      this.now() - activation.createdAt >= this.activationTtlMs
    ) {
      activation.state = 'expired';
    }
  }

  private country(value: unknown): (typeof SIM_COUNTRIES)[number] | undefined {
    return typeof value === 'string'
      ? SIM_COUNTRIES.find((country) => country.code === value)
      : undefined;
  }

  /** The doc sends `Content-Type: application/json` bodies; anything else is no request. */
  private jsonBody(req: SimRequest): Record<string, unknown> | undefined {
    const contentType = String(req.headers['content-type'] ?? '');
    if (!contentType.includes('application/json')) return undefined;
    const body = req.json;
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined;
  }

  private refuse(refusal: { status: number; detail: string }): SimReply {
    return this.json({ status: refusal.status, detail: refusal.detail }, refusal.status);
  }
}

function productKey(countryCode: string, productId: string): string {
  return `${countryCode}:${productId}`;
}

/** The doc quotes ids as strings; a JSON number is taken as the same id. */
function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}
