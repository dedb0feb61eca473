import type { SimActivationView, SimOffer, SimulatorOptions } from '../types.js';
import { SimulatorBase, type SimReply, type SimRequest } from '../harness.js';

/** A minimal protocol for testing the harness and the HTTP client: echoes what it received,
 *  answers `/api/status/<code>` with that status, and keeps a toy activation table. */
export class EchoSimulator extends SimulatorBase {
  protected readonly mountPath = '/api/';
  readonly activations = new Map<string, SimActivationView>();
  readonly offers: SimOffer[] = [];
  balance = '0';
  private nextId = 1;

  constructor(options: SimulatorOptions = {}) {
    super('shiznumber', options);
  }

  protected handle(req: SimRequest): SimReply {
    const status = /^status\/(\d{3})$/.exec(req.subPath);
    if (status) return this.text(`status ${status[1]}`, Number(status[1]));
    if (req.subPath === 'buy') {
      const ref = String(this.nextId++);
      this.activations.set(ref, {
        ref,
        phoneNumber: '+79990000000',
        state: 'waiting',
        messages: [],
      });
      this.scheduleAutoDelivery(ref);
      return this.json({ ref });
    }
    if (req.subPath === 'html')
      return {
        status: 200,
        text: '<!DOCTYPE html><html><title>Oops</title></html>',
        contentType: 'text/html',
      };
    return this.json({
      method: req.method,
      path: req.path,
      subPath: req.subPath,
      query: Object.fromEntries(req.query),
      json: req.json,
      form: Object.fromEntries(req.form),
      apiKey: req.headers['x-api-key'] ?? null,
    });
  }

  setOffer(offer: SimOffer): void {
    this.offers.push(offer);
  }

  setBalance(amount: string): void {
    this.balance = amount;
  }

  deliverSms(upstreamRef: string, text: string): void {
    const activation = this.activations.get(upstreamRef);
    if (!activation) throw new Error(`unknown activation ${upstreamRef}`);
    activation.messages.push(text);
    activation.state = 'code';
  }

  expireActivation(upstreamRef: string): void {
    const activation = this.activations.get(upstreamRef);
    if (activation) activation.state = 'expired';
  }

  protected upstreamRefs(): string[] {
    return [...this.activations.keys()];
  }

  activation(upstreamRef: string): SimActivationView | undefined {
    return this.activations.get(upstreamRef);
  }

  protected resetState(): void {
    this.activations.clear();
    this.offers.length = 0;
    this.balance = '0';
  }
}
