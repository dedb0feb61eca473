/** The end-to-end harness (real server and worker processes, simulators, HTTP and graphql-ws
 *  clients), for other packages' tests or benchmarks that need a whole numbroker. */
export * from './support/async-queue.js';
export * from './support/graphql-http.js';
export * from './support/graphql-ws-client.js';
export * from './support/orders.js';
export { freePort } from '@numbroker/processes';
export * from './support/processes.js';
export * from './support/recording-proxy.js';
export * from './support/stack.js';
